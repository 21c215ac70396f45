// Package fairbinn adds fairness to a model someone already trained: it inserts fully connected fairness
// layers into an ONNX model, fine-tunes them (FairBiNN, NeurIPS 2024, and the methods it is compared with),
// exports the combined model back to ONNX and checks that onnxruntime gives the same predictions as
// fairbinn's own Go forward pass.
//
// Start with [Load] (the backbone), [LoadData] (a data set encoded for it) and [FineTune] (Options says
// where, how, and under which constraints); [Result.Save] writes the model and its report; [FineTuneFile] does all of it from files, as the
// train command does. [Eval] scores a
// model on a split against a recorded baseline, [VerifyAll] runs the same rows through every executor, and
// [Sweep] trains a grid of configurations. Every report carries the honest baseline: per-group thresholds
// on the backbone, which Options.Thresholds can also compile into the exported model. The exported model carries its
// provenance in its metadata, under the Meta* keys.
//
// The stages of the pipeline are packages of their own, in data-flow order: importer (ONNX file → ir),
// ir (the graph IR and shape inference), insert (positions and fairness layers), lower (ir → gorgonia,
// the Go forward pass), train (training methods and selection), fairness (losses and metrics), dataset
// (data sets and their encoding), head (what a model's output means: probability, logit, two-class),
// exporter (ir → ONNX file), ort (onnxruntime), parity (comparing executors) and tensor (the values they
// exchange). The command line, cmd/fairbinn, maps its flags to this package's options.
package fairbinn
