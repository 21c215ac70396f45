#!/usr/bin/python3
"""Summarise scripts/bench-quality.sh's runs: OUT/summary.md (a table per data set) and OUT/summary.json.

Usage: /usr/bin/python3 scripts/bench-quality-summary.py --out out/bench-quality [--datasets LIST]
       [--methods LIST] [--constraints 'dp<=0.01 eo<=0.05'] [--seeds 5] [--eta 20] [--wall SECONDS]

Reads OUT/<data set>/<criterion>-<limit>/<method>/seed<N>/sweep.json (one run each, with its report in
runs/) and OUT/<data set>/bound.json. For every data set, constraint and method: test accuracy and the
test value of the constrained criterion, mean ± sd over the seeds that ran (sample sd, as sweep.json), how
many seeds met the constraint on validation (the report's constraints_met) and how many on test within
0.005 (value ≤ limit + 0.005). The backbone and the threshold baseline come from the runs' records (every
run of a seed has the same validation split, hence the same baseline); the bound is one value.
"""
import argparse
import glob
import json
import math
import os
import sys

TOL = 0.005
DATASETS = {
    "adult": ("Adult, attribute-aware", "adult_mlp", "sex (an input)"),
    "adult_blind": ("Adult, attribute-blind", "adult_blind", "sex (not an input)"),
    "law_school": ("law_school", "law_school_mlp", "race"),
    "credit_default": ("credit_default", "credit_default_mlp", "SEX"),
    "bank_marketing": ("bank_marketing", "bank_marketing_mlp", "age: <25, [25,65), >=65"),
}
# The method a run that states a constraint trains when it names none, and the one a run that states
# none trains.
DEFAULT = "constrained"
DEFAULT_UNSTATED = "lagrangian"
METHOD_LABEL = {
    "lagrangian": "lagrangian, η {eta} (the default without a constraint)",
    "constrained": "constrained (the default with a constraint)",
    "bilevel-paper": "bilevel-paper, η {eta}",
    "bilevel": "bilevel, η {eta}",
    "reference": "reference, η {eta}",
    "erm": "erm",
}


def stat(xs):
    if not xs:
        return None
    m = sum(xs) / len(xs)
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) if len(xs) > 1 else 0.0
    return {"mean": m, "sd": sd, "n": len(xs)}


def fmt_acc(s):
    return "–" if s is None else "%.2f %% ± %.2f" % (100 * s["mean"], 100 * s["sd"])


def fmt_gap(s):
    return "–" if s is None else "%.4f ± %.4f" % (s["mean"], s["sd"])


def selection_rate(m):
    """The share of rows selected, from the per-group rates and sizes of a metrics record."""
    n = sum(g["size"] for g in m["groups"])
    return sum(g["selection_rate"] * g["size"] for g in m["groups"]) / n


def positive_rate(m):
    n = sum(g["size"] for g in m["groups"])
    return sum(g["positives"] for g in m["groups"]) / n


def parse_constraint(c):
    crit, limit = c.split("<=")
    return crit.strip(), float(limit)


def load_runs(out, ds, cdir, method):
    runs = []
    for path in sorted(glob.glob(os.path.join(out, ds, cdir, method, "seed*", "sweep.json")),
                       key=lambda p: int(os.path.basename(os.path.dirname(p))[4:])):
        d = json.load(open(path))
        for r in d["runs"]:
            r["_dir"] = os.path.dirname(path)
            r["_seconds"] = d.get("seconds", 0)
            if r.get("status") == "ok" and r.get("report"):
                rep = json.load(open(os.path.join(r["_dir"], r["report"])))
                r["_val_met"] = bool(rep.get("constraints_met"))
            runs.append(r)
    return runs


def summarise(args):
    methods = [m for m in args.methods.split(",") if m]
    constraints = [parse_constraint(c) for c in args.constraints.split()]
    out = {"constraints": args.constraints.split(), "methods": methods, "tolerance": TOL, "datasets": {}}
    total_seconds = 0.0
    for ds in [d for d in args.datasets.split(",") if d]:
        dsum = {"constraints": {}}
        bound_path = os.path.join(args.out, ds, "bound.json")
        bound = json.load(open(bound_path)) if os.path.exists(bound_path) else {}
        for crit, limit in constraints:
            cdir = "%s-%s" % (crit, ("%g" % limit))
            csum = {"limit": limit, "methods": {}}
            baseline, backbone = {}, {}
            for m in methods:
                runs = load_runs(args.out, ds, cdir, m)
                ok = [r for r in runs if r.get("status") == "ok"]
                total_seconds += sum(r["_seconds"] for r in runs)
                for r in ok:
                    if r.get("threshold_baseline", {}).get("test"):
                        baseline.setdefault(r["seed"], r["threshold_baseline"])
                    if r.get("backbone_metrics"):
                        backbone.setdefault(r["seed"], r["backbone_metrics"])
                csum["methods"][m] = {
                    "seeds": [r["seed"] for r in ok],
                    "failed": [{"seed": r["seed"], "error": r.get("error", "")} for r in runs if r.get("status") != "ok"],
                    "test_accuracy": stat([r["test"]["accuracy"] for r in ok]),
                    "test_gap": stat([r["test"][crit] for r in ok]),
                    "val_gap": stat([r["val"][crit] for r in ok]),
                    "val_met": sum(1 for r in ok if r.get("_val_met")),
                    "test_met": sum(1 for r in ok if r["test"][crit] <= limit + TOL + 1e-12),
                    "test_selection_rate": stat([selection_rate(r["test"]) for r in ok]),
                    "selected_epochs": [r.get("selected_epoch") for r in ok],
                    "etas": sorted({r["eta"] for r in ok if "eta" in r}),
                    "seconds": sum(r.get("seconds", 0) for r in runs),
                }
            bl = [baseline[s] for s in sorted(baseline)]
            csum["baseline"] = {
                "seeds": sorted(baseline),
                "test_accuracy": stat([b["test"]["accuracy"] for b in bl]),
                "test_gap": stat([b["test"][crit] for b in bl]),
                "val_met": sum(1 for b in bl if b["val"][crit] <= limit + 1e-12),
                "test_met": sum(1 for b in bl if b["test"][crit] <= limit + TOL + 1e-12),
                "test_selection_rate": stat([selection_rate(b["test"]) for b in bl]),
            }
            bb = [backbone[s] for s in sorted(backbone)]
            csum["backbone"] = {
                "test_accuracy": stat([b["test"]["accuracy"] for b in bb]),
                "test_gap": stat([b["test"][crit] for b in bb]),
                "val_gap": stat([b["val"][crit] for b in bb]),
                "test_selection_rate": stat([selection_rate(b["test"]) for b in bb]),
                "test_positive_rate": stat([positive_rate(b["test"]) for b in bb]),
            }
            b = bound.get(crit)
            csum["bound"] = None if not b or "accuracy" not in b else {
                "test_accuracy": b["accuracy"], "test_gap": b[crit], "thresholds": b.get("thresholds")}
            dsum["constraints"]["%s<=%g" % (crit, limit)] = csum
        out["datasets"][ds] = dsum
    out["run_seconds"] = total_seconds
    if args.wall is not None:
        out["wall_seconds"] = args.wall
    return out, constraints, methods


def verdict(default, base, crit, limit):
    """How the default compares with the baseline on the test means."""
    if default["test_accuracy"] is None or base["test_accuracy"] is None:
        return "no comparison"
    da = 100 * (default["test_accuracy"]["mean"] - base["test_accuracy"]["mean"])
    dg = default["test_gap"]["mean"] - base["test_gap"]["mean"]
    noise = 100 * max(default["test_accuracy"]["sd"], base["test_accuracy"]["sd"])
    within = default["test_gap"]["mean"] <= limit
    c = crit.upper()
    if da >= 0 and dg <= 0:
        how = "not below the baseline, at a lower or equal test %s" % c
    elif da >= 0:
        how = ("more accurate, at a higher test %s %s the limit" % (c, "still within" if within else "above"))
    elif dg <= 0:
        how = "below the baseline by %.2f pts, at a lower test %s" % (-da, c)
    else:
        how = "below the baseline by %.2f pts, at a higher test %s" % (-da, c)
    size = " (within the seeds' sd, %.2f pts)" % noise if abs(da) <= noise else ""
    return "%+.2f pts test accuracy%s, %+.4f test %s against the baseline: %s" % (da, size, dg, c, how)


def targets(summary, constraints, method, title):
    """The benchmark's targets for one method, each met or missed with its size."""
    L = ["**Targets** (%s, on the test means):" % title, ""]
    ds = summary["datasets"]
    keys = ["%s<=%g" % c for c in constraints]

    def get(d, key, what):
        try:
            c = ds[d]["constraints"][key]
            return c["methods"][method] if what == "default" else c[what]
        except KeyError:
            return None

    dp = next((k for k in keys if k.startswith("dp")), None)
    if dp:
        for d in ds:
            m, b = get(d, dp, "default"), get(d, dp, "baseline")
            if not m or not m["test_accuracy"] or not b or not b["test_accuracy"]:
                continue
            da = 100 * (m["test_accuracy"]["mean"] - b["test_accuracy"]["mean"])
            dg = m["test_gap"]["mean"] - b["test_gap"]["mean"]
            if da >= 0 and dg <= 0:
                v = "met (%+.2f pts at %+.4f DP)" % (da, dg)
            elif da >= 0:
                v = "not shown: %+.2f pts but at a higher test DP (%+.4f)" % (da, dg)
            else:
                v = "missed by %.2f pts (at %+.4f DP)" % (-da, dg)
            L.append("- never below the threshold baseline at equal or lower test DP, %s: %s" % (d, v))
        m = get("adult", dp, "default")
        if m and m["test_accuracy"]:
            acc, gap = 100 * m["test_accuracy"]["mean"], m["test_gap"]["mean"]
            ok = acc >= 83.0 and gap <= 0.010
            L.append("- Adult ≥ 83.0 %% at test DP ≤ 0.010: %s (%.2f %% at DP %.4f%s)" % (
                "met" if ok else "missed", acc, gap,
                "" if ok else "; %s" % "; ".join(x for x in (
                    "%.2f pts short" % (83.0 - acc) if acc < 83.0 else "",
                    "DP %.4f over" % (gap - 0.010) if gap > 0.010 else "") if x)))
    for k in keys:
        mb, ab = get("adult_blind", k, "default"), get("adult", k, "baseline")
        if mb and mb["test_accuracy"] and ab and ab["test_accuracy"]:
            d = 100 * (mb["test_accuracy"]["mean"] - ab["test_accuracy"]["mean"])
            L.append("- attribute-blind within 1 pt of the attribute-aware threshold baseline, %s: %s (%+.2f pts: "
                     "%.2f %% against %.2f %%)" % (k.replace("<=", " ≤ "), "met" if d >= -1.0 else "missed by %.2f pts" % (-1.0 - d),
                                                  d, 100 * mb["test_accuracy"]["mean"], 100 * ab["test_accuracy"]["mean"]))
    for k in keys:
        parts = []
        for d in ds:
            m = get(d, k, "default")
            if m and m["seeds"]:
                n = len(m["seeds"])
                need = math.ceil(0.8 * n)
                parts.append("%s %d/%d%s" % (d, m["test_met"], n, "" if m["test_met"] >= need else " (missed)"))
        if parts:
            L.append("- %s met on test within %g in at least 4 of 5 seeds: %s" % (k.replace("<=", " ≤ "), TOL, ", ".join(parts)))
    L.append("")
    return L


def eta_label(cs, m, eta):
    """The η of method m's runs, per constraint ("20 / 5"), else the --eta the benchmark was given."""
    per = [c["methods"][m].get("etas") or [] for c in cs]
    if not any(per):
        return eta
    return " / ".join(",".join("%g" % e for e in p) or "–" for p in per)


def markdown(summary, constraints, methods, eta):
    L = []
    seeds = None
    for ds, dsum in summary["datasets"].items():
        title, model, attr = DATASETS.get(ds, (ds, ds, "?"))
        L.append("### %s — `%s`, groups by %s" % (title, model, attr))
        L.append("")
        head = "| method |"
        sep = "|---|"
        for crit, limit in constraints:
            c = crit.upper()
            head += " %s ≤ %g: test acc ± sd | test %s ± sd | met val | met test (≤ %g) |" % (
                c, limit, c, limit + TOL)
            sep += "---:|---:|---:|---:|"
        L.append(head)
        L.append(sep)
        cs = [dsum["constraints"]["%s<=%g" % (crit, limit)] for crit, limit in constraints]

        def row(label, cells):
            L.append("| %s |%s" % (label, "".join(" %s | %s | %s | %s |" % c for c in cells)))

        def counts(k, n):
            return "%d/%d" % (k, n)

        row("backbone", [(fmt_acc(c["backbone"]["test_accuracy"]), fmt_gap(c["backbone"]["test_gap"]), "–", "–")
                         for c in cs])
        row("**thresholds** (the baseline: per-group thresholds chosen on validation)",
            [("**%s**" % fmt_acc(c["baseline"]["test_accuracy"]), fmt_gap(c["baseline"]["test_gap"]),
              counts(c["baseline"]["val_met"], len(c["baseline"]["seeds"])),
              counts(c["baseline"]["test_met"], len(c["baseline"]["seeds"]))) for c in cs])
        row("optimistic bound (thresholds chosen on the test split)",
            [("%.2f %%" % (100 * c["bound"]["test_accuracy"]) if c["bound"] else "–",
              "%.4f" % c["bound"]["test_gap"] if c["bound"] else "–", "–", "–") for c in cs])
        for m in methods:
            cells = []
            for c in cs:
                ms = c["methods"][m]
                n = len(ms["seeds"])
                fail = " (%d failed)" % len(ms["failed"]) if ms["failed"] else ""
                acc = fmt_acc(ms["test_accuracy"])
                if m == DEFAULT:
                    acc = "**%s**" % acc
                cells.append((acc + fail, fmt_gap(ms["test_gap"]), counts(ms["val_met"], n), counts(ms["test_met"], n)))
            row(METHOD_LABEL.get(m, m).format(eta=eta_label(cs, m, eta)), cells)
            seeds = max(seeds or 0, max((len(c["methods"][m]["seeds"]) for c in cs), default=0))
        L.append("")
        bb = cs[0]["backbone"]
        if bb["test_positive_rate"]:
            pr = bb["test_positive_rate"]["mean"]

            def sel(x):
                return "–" if not x else "%.1f %%" % (100 * x["mean"])
            parts = ["backbone %s" % sel(bb["test_selection_rate"]),
                     "thresholds %s" % " / ".join(sel(c["baseline"]["test_selection_rate"]) for c in cs)]
            for m in methods:
                parts.append("%s %s" % (m, " / ".join(sel(c["methods"][m]["test_selection_rate"]) for c in cs)))
            L.append("Test rows positive: %.1f %% (a constant classifier scores %.2f %%). Share of test rows "
                     "selected (%s): %s." % (100 * pr, 100 * max(pr, 1 - pr),
                                             " / ".join("%s ≤ %g" % (crit.upper(), limit) for crit, limit in constraints),
                                             "; ".join(parts)))
            L.append("")
        for m, what in ((DEFAULT, "the default with a constraint, `%s`" % DEFAULT),
                        (DEFAULT_UNSTATED, "`%s`, the default without one" % DEFAULT_UNSTATED)):
            if m in methods:
                for (crit, limit), c in zip(constraints, cs):
                    L.append("- %s ≤ %g, %s: %s." % (crit.upper(), limit, what, verdict(c["methods"][m], c["baseline"], crit, limit)))
        L.append("")
    if DEFAULT in methods:
        L += targets(summary, constraints, DEFAULT, "the default when a constraint is stated, `%s`" % DEFAULT)
    if DEFAULT_UNSTATED in methods:
        L += targets(summary, constraints, DEFAULT_UNSTATED, "`%s` at each criterion's default η, the default when none is" % DEFAULT_UNSTATED)
    L.append("Test figures are onnxruntime's on the exported models, mean ± sd over the seeds; *met val*: seeds "
             "whose selected epoch meets the constraint on validation (the others kept the closest epoch, "
             "`--best-effort`); *met test*: seeds whose test value is within %g of the limit. Runs took %.0f s "
             "in all%s." % (TOL, summary["run_seconds"],
                            "" if "wall_seconds" not in summary else "; this invocation %d s of wall time" % summary["wall_seconds"]))
    return "\n".join(L) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="out/bench-quality")
    ap.add_argument("--datasets", default="adult,adult_blind,law_school,credit_default,bank_marketing")
    ap.add_argument("--methods", default="constrained,lagrangian,bilevel-paper,bilevel,reference")
    ap.add_argument("--constraints", default="dp<=0.01 eo<=0.05")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--eta", default="20")
    ap.add_argument("--wall", type=int, default=None)
    args = ap.parse_args()
    summary, constraints, methods = summarise(args)
    md = markdown(summary, constraints, methods, args.eta)
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
        f.write("\n")
    with open(os.path.join(args.out, "summary.md"), "w") as f:
        f.write(md)
    sys.stdout.write(md)


if __name__ == "__main__":
    main()
