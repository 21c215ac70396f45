#!/usr/bin/python3
"""Upper bound on what re-thresholding a model can reach: the best test accuracy of per-group decision
thresholds on the model's own scores within a fairness limit, chosen on the test split itself (an oracle,
so an optimistic bound for any post-processing of these scores). Any number of groups; demographic parity
(--dp, the largest difference of the groups' selection rates) and equalized odds (--eo, the larger of the
largest TPR and FPR differences; Fairlearn's definitions, a group without positives or negatives left out
of that rate), each bound computed on its own.

Usage (from the repository root, after `make build`):
  bin/fairbinn predict --model testdata/models/adult_mlp/model.onnx --data adult:testdata/adult --split test --output /tmp/p.csv
  /usr/bin/python3 scripts/threshold-bound.py /tmp/p.csv testdata/adult/adult.test.gz
  bin/fairbinn predict --model testdata/models/bank_marketing_mlp/model.onnx \
      --data csv:out/data/bank_marketing/train.csv --test out/data/bank_marketing/test.csv --split test --output /tmp/b.csv
  /usr/bin/python3 scripts/threshold-bound.py /tmp/b.csv out/data/bank_marketing/test.csv \
      --label y --positive yes --sensitive age:25,65 --eo 0.05 --json /tmp/b.json
With --fit, the thresholds are chosen on other rows instead (any non-test rows: what honest selection could
know at best) and measured on the test split; for Adult's whole training file:
  bin/fairbinn predict --model testdata/models/adult_mlp/model.onnx --data adult:testdata/adult --output /tmp/t.csv
  /usr/bin/python3 scripts/threshold-bound.py /tmp/p.csv testdata/adult/adult.test.gz --fit /tmp/t.csv testdata/adult/adult.data.gz
p.csv is `fairbinn predict --data ... --split test` output (row = 0-based record of the test file, prob); the
test file gives each row's group and label. The defaults are Adult's (label Y, positive >50K and >50K.,
sensitive sex, fields separated by ", " when the header is).

Per group, every cut between two distinct scores is a candidate (select the rows scoring at least the
cut). DP: for every achievable selection rate r of any group, each group takes its most accurate cut with a
rate in [r, r + limit]; the best total wins (exact). EO: the same over boxes [a, a + limit] × [b, b + limit]
of (TPR, FPR), a and b on a grid of step 0.001 (the result meets the limit; it may be below the exact
optimum by a few rows).
"""
import argparse
import csv
import gzip
import io
import json
import math
import sys

import numpy as np


def groups_of(cells, spec):
    """Group names as fairbinn gives them: the cell, or for COLUMN:EDGES its range."""
    if ":" not in spec:
        return np.array(cells, dtype=object), None
    _, tail = spec.split(":", 1)
    edges_s = [e.strip() for e in tail.split(",")]
    edges = [float(e) for e in edges_s]
    names = ["<" + edges_s[0]] + ["[%s,%s)" % (a, b) for a, b in zip(edges_s, edges_s[1:])] + [">=" + edges_s[-1]]
    v = np.array([float(c) for c in cells])
    idx = np.searchsorted(np.array(edges), v, side="right")
    return np.array(names, dtype=object)[idx], names


def read_table(path, sep):
    """Header and records of a CSV file (gzip'd when its name ends in .gz); sep "" guesses ", " or ","."""
    raw = open(path, "rb").read()
    if path.endswith(".gz"):
        raw = gzip.decompress(raw)
    text = raw.decode("utf-8")
    if not sep:
        sep = ", " if ", " in text.split("\n", 1)[0] else ","
    if sep == ", ":
        lines = [ln for ln in text.split("\n") if ln.strip()]
        recs = [ln.split(", ") for ln in lines]
    else:
        recs = [r for r in csv.reader(io.StringIO(text), delimiter=sep) if r]
    return recs[0], recs[1:]


def scored_rows(pred_csv, data_file, a):
    """Scores, labels, groups and the group order of the rows fairbinn predict scored in data_file."""
    row, prob = read_pred(pred_csv)
    header, recs = read_table(data_file, a.sep)
    recs = [recs[i] for i in row]
    col = a.sensitive.split(":", 1)[0]
    group, order = groups_of([r[header.index(col)] for r in recs], a.sensitive)
    positive = set(a.positive.split(","))
    lc = header.index(a.label)
    label = np.array([r[lc] in positive for r in recs])
    return prob, label, group, order


def read_pred(path):
    """fairbinn predict's CSV: row, prob, pred."""
    with open(path) as f:
        r = csv.DictReader(f)
        rows, probs = [], []
        for rec in r:
            rows.append(int(rec["row"]))
            probs.append(float(rec["prob"]))
    return np.array(rows), np.array(probs, dtype=np.float64)


class GroupCuts:
    """The candidate cuts of one group: for k rows selected (top-k by score, at distinct-score boundaries),
    the selection rate, TPR, FPR and the number of correct decisions, and a sparse table for range maxima
    of the correct counts."""

    def __init__(self, prob, label):
        order = np.argsort(-prob, kind="stable")
        p, y = prob[order], label[order]
        n = len(p)
        self.n, self.pos, self.neg = n, int(y.sum()), int(n - y.sum())
        tp = np.concatenate([[0], np.cumsum(y)])
        fp = np.concatenate([[0], np.cumsum(1 - y)])
        k = np.arange(n + 1)
        valid = np.ones(n + 1, dtype=bool)  # a cut after row k-1 is possible only between distinct scores
        valid[1:n] = p[:-1] > p[1:]
        self.k = k[valid]
        self.rate = self.k / n
        self.tpr = tp[valid] / self.pos if self.pos else np.zeros(len(self.k))
        self.fpr = fp[valid] / self.neg if self.neg else np.zeros(len(self.k))
        self.correct = (tp[valid] + (self.neg - fp[valid])).astype(np.int64)
        # threshold for k selected rows: the k-th score (select prob >= t); none selected: above the top
        self.thr = np.where(self.k == 0, np.inf, p[np.maximum(self.k - 1, 0)])
        m = len(self.correct)
        self.table = [np.arange(m)]  # argmax indices
        j = 1
        while (1 << j) <= m:
            prev = self.table[-1]
            half = 1 << (j - 1)
            a, b = prev[:m - (1 << j) + 1], prev[half:half + m - (1 << j) + 1]
            self.table.append(np.where(self.correct[a] >= self.correct[b], a, b))
            j += 1

    def best_in(self, lo, hi):
        """For index ranges [lo, hi] (arrays, hi < lo meaning empty): (correct, index) of the best cut; -1
        correct where empty."""
        lo, hi = np.asarray(lo), np.asarray(hi)
        empty = hi < lo
        lo2, hi2 = np.where(empty, 0, lo), np.where(empty, 0, hi)
        length = hi2 - lo2 + 1
        j = np.floor(np.log2(np.maximum(length, 1))).astype(int)
        out_idx = np.empty(len(lo2), dtype=np.int64)
        for jj in np.unique(j):
            sel = j == jj
            t = self.table[jj]
            a, b = t[lo2[sel]], t[hi2[sel] - (1 << jj) + 1]
            out_idx[sel] = np.where(self.correct[a] >= self.correct[b], a, b)
        corr = np.where(empty, -1, self.correct[out_idx])
        return corr, out_idx

    def window(self, values, lo, width):
        """Index range of the cuts whose (nondecreasing) values lie in [lo, lo + width]."""
        eps = 1e-12
        a = np.searchsorted(values, lo - eps, side="left")
        b = np.searchsorted(values, lo + width + eps, side="right") - 1
        return a, b


def metrics(prob, label, group, names, thr):
    pred = np.zeros(len(prob), dtype=bool)
    for g in names:
        m = group == g
        pred[m] = prob[m] >= thr[g]
    acc = float((pred == label).mean())
    rates, tprs, fprs = [], [], []
    for g in names:
        m = group == g
        rates.append(pred[m].mean())
        if (m & label).any():
            tprs.append(pred[m & label].mean())
        if (m & ~label).any():
            fprs.append(pred[m & ~label].mean())
    dp = float(max(rates) - min(rates))
    eo = float(max(max(tprs) - min(tprs), max(fprs) - min(fprs)))
    return acc, dp, eo


def bound_dp(cuts, limit):
    cand = np.unique(np.concatenate([c.rate for c in cuts.values()]))
    total = np.zeros(len(cand), dtype=np.int64)
    idx = {}
    for g, c in cuts.items():
        a, b = c.window(c.rate, cand, limit)
        corr, i = c.best_in(a, b)
        total = np.where((total < 0) | (corr < 0), -1, total + corr)
        idx[g] = i
    best = int(np.argmax(total))
    if total[best] < 0:
        return None
    return {g: float(cuts[g].thr[idx[g][best]]) for g in cuts}


def bound_eo(cuts, limit, step=0.001):
    grid = np.arange(0, 1 + 1e-9, step)
    A, B = np.meshgrid(grid, grid, indexing="ij")
    A, B = A.ravel(), B.ravel()
    total = np.zeros(len(A), dtype=np.int64)
    idx = {}
    for g, c in cuts.items():
        lo, hi = np.zeros(len(A), dtype=np.int64), np.full(len(A), len(c.k) - 1, dtype=np.int64)
        if c.pos:
            a, b = c.window(c.tpr, A, limit)
            lo, hi = np.maximum(lo, a), np.minimum(hi, b)
        if c.neg:
            a, b = c.window(c.fpr, B, limit)
            lo, hi = np.maximum(lo, a), np.minimum(hi, b)
        corr, i = c.best_in(lo, hi)
        total = np.where((total < 0) | (corr < 0), -1, total + corr)
        idx[g] = i
    best = int(np.argmax(total))
    if total[best] < 0:
        return None
    return {g: float(cuts[g].thr[idx[g][best]]) for g in cuts}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pred_csv")
    ap.add_argument("test_file")
    ap.add_argument("--label", default="Y")
    ap.add_argument("--positive", default=">50K,>50K.", help="comma-separated positive label values")
    ap.add_argument("--sensitive", default="sex", help="column, or COLUMN:EDGES as fairbinn's --sensitive")
    ap.add_argument("--sep", default="", help="field separator (default: ', ' when the header has it, else ',')")
    ap.add_argument("--dp", type=float, default=0.01, help="DP limit (negative: skip)")
    ap.add_argument("--eo", type=float, default=-1, help="EO limit (negative: skip)")
    ap.add_argument("--json", default="", help="also write the results as JSON to this file")
    ap.add_argument("--fit", nargs=2, metavar=("PRED_CSV", "FILE"), help="choose the thresholds on these rows "
                    "(fairbinn predict's output for FILE) instead of the test split's, and measure them on the test split")
    a = ap.parse_args()

    prob, label, group, order = scored_rows(a.pred_csv, a.test_file, a)
    names = order or sorted(set(group))
    names = [g for g in names if (group == g).any()]
    fit = "the test split"
    if a.fit:
        fit = a.fit[1]
        fprob, flabel, fgroup, _ = scored_rows(a.fit[0], a.fit[1], a)
        cuts = {g: GroupCuts(fprob[fgroup == g], flabel[fgroup == g].astype(np.int64)) for g in names}
    else:
        cuts = {g: GroupCuts(prob[group == g], label[group == g].astype(np.int64)) for g in names}

    base = {g: 0.5 for g in names}
    acc0, dp0, eo0 = metrics(prob, label, group, names, base)
    out = {"rows": int(len(prob)), "groups": {g: int((group == g).sum()) for g in names},
           "model": {"accuracy": acc0, "dp": dp0, "eo": eo0}}
    print(f"rows {len(prob)}; groups " + ", ".join(f"{g} {(group == g).sum()}" for g in names))
    print(f"model at 0.5: accuracy {acc0:.4f}, DP {dp0:.4f}, EO {eo0:.4f}")
    for crit, limit, fn in (("dp", a.dp, bound_dp), ("eo", a.eo, bound_eo)):
        if limit < 0:
            continue
        thr = fn(cuts, limit)
        if thr is None:
            print(f"no per-group thresholds bring {crit.upper()} within {limit}")
            out[crit] = {"limit": limit, "error": "infeasible"}
            continue
        acc, dp, eo = metrics(prob, label, group, names, thr)
        gap = dp if crit == "dp" else eo
        if gap > limit + 1e-9 and not a.fit:
            sys.exit(f"internal error: {crit} {gap} above {limit}")
        out[crit] = {"limit": limit, "chosen_on": fit, "accuracy": acc, "dp": dp, "eo": eo,
                     "thresholds": {g: (None if math.isinf(t) else t) for g, t in thr.items()}}
        ths = ", ".join(f"{g} {t:.4f}" for g, t in thr.items())
        print(f"most accurate per-group thresholds with {crit.upper()} <= {limit} on {fit}, on the test split: accuracy {acc:.4f} ({ths}; DP {dp:.4f}, EO {eo:.4f})")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
