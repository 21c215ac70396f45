// Command fairbinn makes a pretrained ONNX model fairer: it inserts fully connected fairness layers at a
// chosen position, fine-tunes them as the follower of a bilevel game whose leader is the accuracy
// objective (FairBiNN, NeurIPS 2024), exports the result to ONNX and checks that onnxruntime gives the
// same predictions as its own Go forward pass.
//
// Subcommands: inspect, insert, train, eval, predict, verify, sweep, demo (usage.txt is the overview that
// `fairbinn --help` prints; each subcommand's --help lists its flags). Exit codes: 0 ok, 1 internal
// error, 2 bad input (a one-line error; nothing written), 3 verification above tolerance, 4 drift
// against a baseline report.
package main
