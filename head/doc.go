// Package head says what a model's output means, so that no path treats a logit as a probability: a
// sigmoid probability or a raw logit per row ([N] or [N, 1]), or two-class logits or softmax
// probabilities ([N, 2], with the positive class's index). It detects the head from the graph, turns
// outputs into P(positive) for the metrics, and is recorded in an exported model's metadata.
package head
