// Package dataset loads tabular data for fairbinn: the UCI Adult data set ("adult:DIR", with its usual
// 101-feature encoding and sex as the sensitive attribute) and generic CSV files ("csv:FILE" with a label
// column, its positive values and one or more sensitive columns). It fits the Encoding spec (one-hot
// categories, min-max scaled numbers, or passthrough) that is saved with a model so that later runs encode
// rows identically, makes seeded validation (and, without a test file, test) splits stratified by group ×
// label, and batches a split with a deterministic per-epoch shuffle.
//
// Rows with a missing value (Adult's "?", a CSV's empty cell by default) in any column the encoding reads are
// dropped. Categories that appear only outside the rows the encoding was fitted on encode as all zeros, and
// numbers outside the fitted range are clipped to [0, 1]. The label and sensitive-group checks (two classes,
// two groups) apply to the training file only. Group ids follow the byte order of the group names over all
// loaded rows, except Adult's sex (Male = 0, Female = 1).
//
// Every error caused by the data, the options or an encoding spec matches ErrBadInput and, when it concerns a
// file, is an *InputError naming the file, the line and byte column, and the data column.
package dataset
