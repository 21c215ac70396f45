// Package train fine-tunes a model with inserted fairness layers as a Stackelberg game (FairBiNN,
// NeurIPS 2024): the accuracy objective leads, through the backbone's parameters; the fairness objective
// follows, through the fairness layers' parameters. Each side has its own optimiser, learning rate and
// decay. The package also holds the schedules the paper's experiments are compared with (the reference
// code's schedule, a Lagrangian, plain ERM), validation-based model selection, checkpoints that resume to
// the same result, and the reports.
//
// The constrained method takes the fairness limits a user states (Config.Constraints, "dp<=0.02") instead
// of a penalty weight η: one multiplier per constraint, adapted during training by dual ascent on the
// constraint's gap measured on rows no gradient step uses, aiming a margin inside the limit
// (Config.MultiplierMargin). SelectConstraints keeps the most accurate
// epoch meeting every constraint on the validation split, and Result.Met says whether one did.
//
// Training runs on gorgonia graphs lowered once per stage and reused for every batch; the parameter
// tensors of those graphs share their memory with the model's initializers, so an optimiser step is
// seen by every stage and by the exported model at once.
package train
