// Package insert finds the positions of a model where fairness layers can go and inserts them: fully
// connected layers between two layers with weights, initialised to the identity (the model's function is
// unchanged) or at random, named with FairPrefix so that training and a later import tell them from the
// backbone.
package insert
