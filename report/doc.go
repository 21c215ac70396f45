// Package report renders a fairness audit as one self-contained HTML file for the person who has to judge
// a model: what was trained on what, which limits were asked for and kept, how each group is treated
// before and after fine-tuning, how well calibrated the scores are, and whether the exported file
// computes the model that was measured.
//
// The input is plain data (Audit), filled in by the caller from its own results; the output uses no
// network, no script and no external file: the style sheet is inline and every chart is an inline SVG
// drawn with gonum/plot. The same Audit always gives the same bytes.
package report
