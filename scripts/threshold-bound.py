#!/usr/bin/python3
"""Upper bound on what re-thresholding a model can reach on Adult: the best test accuracy of per-group
thresholds on the model's own scores with a DP difference of at most --dp, chosen on the test split itself
(an oracle, so an optimistic bound for any post-processing of these scores).

Usage (from the repository root, after `make build`):
  bin/fairbinn predict --model testdata/models/adult_mlp/model.onnx --data adult:testdata/adult --output /tmp/p.csv
  /usr/bin/python3 scripts/threshold-bound.py /tmp/p.csv testdata/adult/adult.test.gz
p.csv is `fairbinn predict --data` output (row = 0-based record of the test file); the test file gives each
row's sex and label.
"""
import argparse
import numpy as np
import pandas as pd

ap = argparse.ArgumentParser()
ap.add_argument("pred_csv")
ap.add_argument("adult_test")
ap.add_argument("--dp", type=float, default=0.01)
a = ap.parse_args()

pred = pd.read_csv(a.pred_csv)
raw = pd.read_csv(a.adult_test, sep=", ", engine="python")
rows = raw.iloc[pred["row"].to_numpy()]
female = (rows["sex"] == "Female").to_numpy()
label = rows["Y"].str.contains(">50K").to_numpy()
prob = pred["prob"].to_numpy()

best = (0.0, None)
grid = np.unique(np.quantile(prob, np.linspace(0, 1, 801)))
sel_f = {t: (prob[female] >= t) for t in grid}
sel_m = {t: (prob[~female] >= t) for t in grid}
rate_f = {t: s.mean() for t, s in sel_f.items()}
rate_m = {t: s.mean() for t, s in sel_m.items()}
correct_f = {t: (s == label[female]).sum() for t, s in sel_f.items()}
correct_m = {t: (s == label[~female]).sum() for t, s in sel_m.items()}
n = len(prob)
for tf in grid:
    for tm in grid:
        if abs(rate_f[tf] - rate_m[tm]) <= a.dp:
            acc = (correct_f[tf] + correct_m[tm]) / n
            if acc > best[0]:
                best = (acc, (tf, tm, abs(rate_f[tf] - rate_m[tm])))
acc, (tf, tm, dp) = best
base = ((prob >= 0.5) == label).mean()
print(f"rows {n}; model at 0.5: accuracy {base:.4f}")
print(f"best per-group thresholds with DP <= {a.dp}: accuracy {acc:.4f} (female {tf:.4f}, male {tm:.4f}, DP {dp:.4f})")
