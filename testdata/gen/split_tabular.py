#!/usr/bin/python3
"""Split the CSV data sets beside the checkout into fixed training and test files.

Run from the repository root (any Python 3; standard library only):

    /usr/bin/python3 testdata/gen/split_tabular.py [--data-dir ../shared/data] [--out out/data]

law_school, credit_default and bank_marketing come without a train/test split. This writes, for each,
OUT/<name>/train.csv and OUT/<name>/test.csv: the header and then the file's own lines, unchanged and in
their original order, 80 % in the training file and 20 % in the test file. The split is stratified by
sensitive group × label: within each stratum the rows are ordered by sha256("<name>:<row index>") (row
index 0-based, header excluded) and the first round(0.2 × n) go to the test file. It depends on nothing
but the input bytes, so every Python gives the same files; the script checks the sha256 of its inputs
and of what it writes.

The backbones under testdata/models/<name>_mlp were trained on the training files only, and
`make bench-quality` gives fairbinn the same files (`--data csv:train.csv --test test.csv`): a fixed test
split that no backbone saw, whatever the seed of the validation split.
"""

import argparse
import hashlib
import os
import sys

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(SCRIPT_DIR))

TEST_FRAC = 0.2

# Each data set: its folder and file under --data-dir, the file's sha256, the label column and its positive
# values, the sensitive column and, for a numeric one, the edges of its ranges (fairbinn's 'age:25,65').
DATASETS = {
    "law_school": dict(
        folder="law_school", file="law_school_clean.csv",
        sha256="23c1b173f3480beb7afc4957b107a9917dfc4a8dc9d87ea6034ec35222152452",
        label="pass_bar", positive=["1.0"], sensitive="race", edges=None),
    "credit_default": dict(
        folder="credit_default", file="credit-card-clients.csv",
        sha256="7cfc3bb35b6986be40cccb5d490806f082b46f93afafdce27fd7f409eb5abb02",
        label="default payment", positive=["1"], sensitive="SEX", edges=None),
    "bank_marketing": dict(
        folder="bank_marketing", file="bank-full.csv",
        sha256="03e78e93396e664a079dff3e1df1b40b6359b1f9945adfb9a09ceabd0fb79193",
        label="y", positive=["yes"], sensitive="age", edges=[25, 65]),
}

# sha256 of the files written (checked after writing).
SPLIT_SHA256 = {
    "law_school": {
        "train.csv": "d88b40da17cec67f449801bb452dd752fad485733c8a6323783ad6503578abca",
        "test.csv": "371770cf5fbc059080c12e9357fc87a66f5ba53cadbd6a520ba6610f7db091bf",
    },
    "credit_default": {
        "train.csv": "8b443be4461a8fb83093f14a8979ed15d595b207ea84263bd9d60496e15f7238",
        "test.csv": "78d99fa9381018c43fa5e97db8eba63a6b604fb64f98d30f04e641ff6b5dd37f",
    },
    "bank_marketing": {
        "train.csv": "b60a5cc534dd563e2326532b2433c79212a30b31c03c052aecc28a9d05fc0676",
        "test.csv": "30b96cbd3b08ae25b391b87e25b152ae65cd5d77769c1ca0d4bd7c5f6b4edd78",
    },
}


def sensitive_spec(ds):
    """The sensitive attribute as fairbinn's --sensitive takes it: 'age:25,65' for a binned column."""
    if ds["edges"] is None:
        return ds["sensitive"]
    return "%s:%s" % (ds["sensitive"], ",".join(str(e) for e in ds["edges"]))


def group_of(ds, cell):
    """The group name fairbinn gives the cell: the value itself, or its range ('<25', '[25,65)', '>=65')."""
    edges = ds["edges"]
    if edges is None:
        return cell
    v = float(cell)
    if v < edges[0]:
        return "<%s" % edges[0]
    for lo, hi in zip(edges, edges[1:]):
        if lo <= v < hi:
            return "[%s,%s)" % (lo, hi)
    return ">=%s" % edges[-1]


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def parse(data, name):
    """Header and record lines (bytes, line ending removed). The files have no quoted fields."""
    text = data.decode("utf-8")
    if '"' in text:
        raise SystemExit("%s: quoted fields are not expected" % name)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [ln[:-1] if ln.endswith("\r") else ln for ln in lines]
    header = lines[0].split(",")
    recs = lines[1:]
    for i, ln in enumerate(recs):
        if ln.count(",") != len(header) - 1:
            raise SystemExit("%s: line %d has %d fields, want %d" % (name, i + 2, ln.count(",") + 1, len(header)))
    return header, recs


def split(name, data):
    """Returns (header line, train lines, test lines, strata counts)."""
    ds = DATASETS[name]
    header, recs = parse(data, name)
    lc, sc = header.index(ds["label"]), header.index(ds["sensitive"])
    strata = {}
    for i, ln in enumerate(recs):
        f = ln.split(",")
        key = (group_of(ds, f[sc]), f[lc] in ds["positive"])
        strata.setdefault(key, []).append(i)
    test = set()
    for key in sorted(strata):
        rows = sorted(strata[key], key=lambda i: hashlib.sha256(("%s:%d" % (name, i)).encode()).hexdigest())
        test.update(rows[:int(round(TEST_FRAC * len(rows)))])
    train_lines = [recs[i] for i in range(len(recs)) if i not in test]
    test_lines = [recs[i] for i in range(len(recs)) if i in test]
    counts = {k: (len(v), len([i for i in v if i in test])) for k, v in sorted(strata.items())}
    return ",".join(header), train_lines, test_lines, counts


def file_bytes(header, lines):
    return ("\n".join([header] + lines) + "\n").encode("utf-8")


def load_source(data_dir, name):
    ds = DATASETS[name]
    path = os.path.join(data_dir, ds["folder"], ds["file"])
    if not os.path.exists(path):
        raise SystemExit("%s not found: pass --data-dir DIR (the folder holding %s/)" % (path, ds["folder"]))
    data = read_bytes(path)
    got = hashlib.sha256(data).hexdigest()
    if got != ds["sha256"]:
        raise SystemExit("%s: sha256 %s, want %s" % (path, got, ds["sha256"]))
    return data


def write_splits(data_dir, out_dir, names=None, quiet=False):
    """Writes OUT/<name>/{train,test}.csv and returns {name: (train bytes, test bytes)}."""
    out = {}
    for name in names or DATASETS:
        data = load_source(data_dir, name)
        header, tr, te, counts = split(name, data)
        d = os.path.join(out_dir, name)
        os.makedirs(d, exist_ok=True)
        files = {"train.csv": file_bytes(header, tr), "test.csv": file_bytes(header, te)}
        for fn, b in files.items():
            p = os.path.join(d, fn)
            tmp = p + ".tmp"
            with open(tmp, "wb") as f:
                f.write(b)
            os.replace(tmp, p)
            want = SPLIT_SHA256[name][fn]
            got = hashlib.sha256(b).hexdigest()
            if want and got != want:
                raise SystemExit("%s: sha256 %s, want %s" % (p, got, want))
            if not want:
                print("%s: sha256 %s (not recorded yet)" % (p, got), file=sys.stderr)
        if not quiet:
            print("%s: %d training rows, %d test rows -> %s (strata group/label: %s)" % (
                name, len(tr), len(te), d,
                ", ".join("%s/%d %d+%d" % (g, int(y), n - t, t) for (g, y), (n, t) in counts.items())))
        out[name] = (files["train.csv"], files["test.csv"])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", default=os.environ.get("FAIRBINN_DATA_DIR", os.path.join(REPO_ROOT, "..", "shared", "data")),
                    help="folder holding law_school/, credit_default/ and bank_marketing/ (default ../shared/data "
                         "beside the checkout, or $FAIRBINN_DATA_DIR)")
    ap.add_argument("--out", default=os.path.join(REPO_ROOT, "out", "data"), help="output folder (default out/data)")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("names", nargs="*", help="data sets (default: all)")
    a = ap.parse_args()
    for n in a.names:
        if n not in DATASETS:
            raise SystemExit("unknown data set %r (want %s)" % (n, ", ".join(DATASETS)))
    write_splits(a.data_dir, a.out, a.names or None, a.quiet)


if __name__ == "__main__":
    main()
