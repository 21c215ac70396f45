#!/usr/bin/env bash
# bench-quality.sh: the quality benchmark. For each data set and each stated constraint, every training
# method at 5 seeds, with demo's training flags (15 epochs, each criterion's default η where a method takes one), the fairness
# layer after the second of the backbone's three hidden layers (--position 2), each run selecting the most
# accurate epoch that meets the constraint on validation (`--constraint`, with --best-effort: a run where
# none does keeps the closest and is counted as not met; --fairness is the constraint's criterion, which
# the methods other than constrained train on). Beside them: the backbone, the threshold baseline
# (per-group thresholds on the backbone chosen on the same validation split, as every sweep reports it; what
# `--method thresholds` compiles into a model) and the optimistic bound (per-group thresholds chosen on the
# test split itself: scripts/threshold-bound.py).
#
# Data sets (backbones in testdata/models, made by testdata/gen/make_backbones.py):
#   adult           adult_mlp on adult:DIR (sex; an input of the model)
#   adult_blind     adult_blind on adult:DIR (sex forms the groups; not an input)
#   law_school      law_school_mlp (race) on the fixed split written by testdata/gen/split_tabular.py
#   credit_default  credit_default_mlp (SEX), same
#   bank_marketing  bank_marketing_mlp (age:25,65: <25, [25,65), >=65), same
#
# Writes OUT/<data set>/<criterion>-<limit>/<method>/seed<N>/ (one `fairbinn sweep` each: sweep.json,
# runs/, log.txt), OUT/<data set>/bound.json, and OUT/summary.md (a table per data set; also summary.json),
# printed at the end. A run folder whose sweep.json is complete and was made by the same command line is kept (FORCE=1 runs it
# again, as a changed default needs), so the grid can be extended seed by seed or method by method.
#
# Environment (defaults in brackets):
#   SEEDS        number of seeds, 1..N [5]
#   DATASETS     comma-separated data sets [adult,adult_blind,law_school,credit_default,bank_marketing]
#   METHODS      comma-separated methods [constrained,lagrangian,bilevel-paper,bilevel,reference]
#   CONSTRAINTS  space-separated constraints ['dp<=0.01 eo<=0.05']
#   ETA          η of the methods that take one [each criterion's default: 20 for dp, 5 for eo]
#   EPOCHS       epochs per run [demo's default]
#   OUT          output folder [out/bench-quality]
#   DATA_DIR     the data sets' folder [../shared/data]; Adult falls back to testdata/adult
#   FAIRBINN     a fairbinn binary to use [bin/fairbinn, built first with GO]
#   GO           the go command [go]
#   PY           Python with numpy and pandas [/usr/bin/python3]
#   FORCE        1: run every folder again
# Further arguments are passed to every `fairbinn sweep`.
#
# ETA_GRID=1 runs the earlier Adult benchmark instead (README "Results on Adult"): every method
# (METHODS, default bilevel-paper,reference,lagrangian,erm) × η (ETAS, default 0,20,100,1000,10000) × seed on
# adult_mlp, selected by val-acc-at-dp=0.01, into OUT (sweep.json, pareto.png, runs/, summary.md).
#
# Quick end-to-end check: EPOCHS=1 SEEDS=1 make bench-quality
set -euo pipefail
cd "$(dirname "$0")/.."

SEEDS=${SEEDS:-5}
EPOCHS=${EPOCHS:-}
OUT=${OUT:-out/bench-quality}
GO=${GO:-go}
PY=${PY:-/usr/bin/python3}
DATA_DIR=${DATA_DIR:-../shared/data}
FORCE=${FORCE:-}

if [ -e "$DATA_DIR/adult/adult.data" ] || [ -e "$DATA_DIR/adult/adult.data.gz" ]; then
  ADULT=$DATA_DIR/adult
else
  ADULT=testdata/adult
fi
ADULT_TEST=$ADULT/adult.test
[ -e "$ADULT_TEST" ] || ADULT_TEST=$ADULT/adult.test.gz

if [ -n "${FAIRBINN:-}" ]; then
  FB=$FAIRBINN
else
  "$GO" build -o bin/fairbinn ./cmd/fairbinn
  FB=./bin/fairbinn
fi

if [ -n "${ETA_GRID:-}" ]; then
  METHODS=${METHODS:-bilevel-paper,reference,lagrangian,erm}
  ETAS=${ETAS:-0,20,100,1000,10000}
  args=(sweep --backbone testdata/models/adult_mlp/model.onnx --data "adult:$ADULT" --position 2
    --method "$METHODS" --eta "$ETAS" --seeds "$SEEDS" --out "$OUT" --markdown)
  if [ -n "$EPOCHS" ]; then
    args+=(--epochs "$EPOCHS")
  fi
  echo "bench-quality: $FB ${args[*]} $*" >&2
  start=$(date +%s)
  summary=$("$FB" "${args[@]}" "$@")
  printf '%s\n\nPlot: pareto.png; every run: sweep.json. Took %d s.\n' "$summary" "$(( $(date +%s) - start ))" >"$OUT/summary.md"
  cat "$OUT/summary.md"
  exit 0
fi

DATASETS=${DATASETS:-adult,adult_blind,law_school,credit_default,bank_marketing}
METHODS=${METHODS:-constrained,lagrangian,bilevel-paper,bilevel,reference}
CONSTRAINTS=${CONSTRAINTS:-dp<=0.01 eo<=0.05}
ETA=${ETA:-}
SPLITS=out/data

mkdir -p "$OUT"
start=$(date +%s)
case ",$DATASETS," in
  *,law_school,*|*,credit_default,*|*,bank_marketing,*)
    "$PY" testdata/gen/split_tabular.py --data-dir "$DATA_DIR" --out "$SPLITS" --quiet ;;
esac

# dataset_args NAME: sets backbone, data (the fairbinn data flags) and bound (threshold-bound.py's).
dataset_args() {
  case $1 in
    adult)
      backbone=testdata/models/adult_mlp/model.onnx; data=(--data "adult:$ADULT"); test_file=$ADULT_TEST; bound=() ;;
    adult_blind)
      backbone=testdata/models/adult_blind/model.onnx; data=(--data "adult:$ADULT"); test_file=$ADULT_TEST; bound=() ;;
    law_school)
      bound=(--label pass_bar --positive 1.0 --sensitive race) ;;
    credit_default)
      bound=(--label 'default payment' --positive 1 --sensitive SEX) ;;
    bank_marketing)
      bound=(--label y --positive yes --sensitive age:25,65) ;;
    *)
      echo "bench-quality: unknown data set $1" >&2; exit 2 ;;
  esac
  case $1 in
    law_school|credit_default|bank_marketing)
      backbone=testdata/models/$1_mlp/model.onnx
      data=(--data "csv:$SPLITS/$1/train.csv" --test "$SPLITS/$1/test.csv")
      test_file=$SPLITS/$1/test.csv ;;
  esac
}

# done_already DIR CRITERION: whether DIR/sweep.json is a complete sweep at the epochs and criterion asked for.
# done_already DIR CRITERION COMMAND: DIR holds a complete sweep made by the same command line.
done_already() {
  [ -z "$FORCE" ] && [ -e "$1/sweep.json" ] && [ "$(head -n 1 "$1/log.txt" 2>/dev/null)" = "$3" ] &&
    "$PY" - "$1/sweep.json" "${EPOCHS:-15}" "$2" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
c = d["base_config"]
ok = d.get("complete") and d["finished_runs"] == d["planned_runs"] and c["epochs"] == int(sys.argv[2]) \
    and c["fairness"] == sys.argv[3]
sys.exit(0 if ok else 1)
PYEOF
}

IFS=, read -r -a datasets <<<"$DATASETS"
IFS=, read -r -a methods <<<"$METHODS"
read -r -a constraints <<<"$CONSTRAINTS"
dp_limit=-1
eo_limit=-1
for c in "${constraints[@]}"; do
  case $c in
    dp\<=*) dp_limit=${c#dp<=} ;;
    eo\<=*) eo_limit=${c#eo<=} ;;
  esac
done

for ds in "${datasets[@]}"; do
  dataset_args "$ds"
  mkdir -p "$OUT/$ds"
  # The optimistic bound: the backbone's test scores, thresholds chosen on them.
  "$FB" predict --model "$backbone" "${data[@]}" --split test --output "$OUT/$ds/backbone-test.csv" >"$OUT/$ds/predict.log" 2>&1
  "$PY" scripts/threshold-bound.py "$OUT/$ds/backbone-test.csv" "$test_file" "${bound[@]}" \
    --dp "$dp_limit" --eo "$eo_limit" --json "$OUT/$ds/bound.json" >"$OUT/$ds/bound.txt"
  for c in "${constraints[@]}"; do
    cdir=${c/<=/-}
    crit=${c%%<=*}
    for m in "${methods[@]}"; do
      for seed in $(seq 1 "$SEEDS"); do
        dir=$OUT/$ds/$cdir/$m/seed$seed
        args=(sweep --backbone "$backbone" "${data[@]}" --position 2 --method "$m"
          --seed-list "$seed" --constraint "$c" --fairness "$crit" --best-effort --out "$dir" --quiet)
        if [ -n "$EPOCHS" ]; then
          args+=(--epochs "$EPOCHS")
        fi
        if [ -n "$ETA" ]; then
          args+=(--eta "$ETA")
        fi
        if done_already "$dir" "$crit" "$FB ${args[*]} $*"; then
          continue
        fi
        rm -rf "$dir"
        mkdir -p "$dir"
        echo "bench-quality: $ds $c $m seed $seed" >&2
        echo "$FB ${args[*]} $*" >"$dir/log.txt"
        "$FB" "${args[@]}" "$@" >>"$dir/log.txt" 2>&1 || echo "bench-quality: $dir failed (exit $?), see its log.txt" >&2
      done
    done
  done
done

"$PY" scripts/bench-quality-summary.py --out "$OUT" --datasets "$DATASETS" --methods "$METHODS" \
  --constraints "$CONSTRAINTS" --seeds "$SEEDS" --eta "${ETA:-default}" --wall "$(( $(date +%s) - start ))" >/dev/null
cat "$OUT/summary.md"
