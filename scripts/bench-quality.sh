#!/usr/bin/env bash
# bench-quality.sh: the quality benchmark. The shipped Adult backbone (testdata/models/adult_mlp) with a
# fairness layer at position 2, trained by each method (bilevel, reference, lagrangian, erm) at each eta and
# seed with the default training flags of `fairbinn demo`; erm ignores eta and runs once per seed. Writes
# out/bench-quality/{sweep.json,pareto.png,runs/} and prints the summary (mean ± sd over seeds) as a
# Markdown table, also saved as out/bench-quality/summary.md.
#
# The full grid is 5 seeds × 16 configurations × the default 15 epochs on 30k rows.
#
# Environment (defaults in brackets):
#   SEEDS    number of seeds, 1..N [5]
#   ETAS     comma-separated etas [0,20,100,1000,10000] (20 is the default)
#   METHODS  comma-separated methods [bilevel,reference,lagrangian,erm]
#   EPOCHS   epochs per run [demo's default]
#   OUT      output folder [out/bench-quality]
#   DATA     data SPEC [adult:../shared/data/adult if it holds the Adult files, else adult:testdata/adult]
#   GO       the go command [go]
# Further arguments are passed to `fairbinn sweep` (e.g. --keep-models, --select last).
#
# Quick end-to-end check: EPOCHS=1 SEEDS=1 make bench-quality
set -euo pipefail
cd "$(dirname "$0")/.."

SEEDS=${SEEDS:-5}
ETAS=${ETAS:-0,20,100,1000,10000}
METHODS=${METHODS:-bilevel,reference,lagrangian,erm}
EPOCHS=${EPOCHS:-}
OUT=${OUT:-out/bench-quality}
GO=${GO:-go}
if [ -z "${DATA:-}" ]; then
  if [ -e ../shared/data/adult/adult.data ] || [ -e ../shared/data/adult/adult.data.gz ]; then
    DATA=adult:../shared/data/adult
  else
    DATA=adult:testdata/adult
  fi
fi

"$GO" build -o bin/fairbinn ./cmd/fairbinn

args=(sweep --backbone testdata/models/adult_mlp/model.onnx --data "$DATA" --position 2
  --method "$METHODS" --eta "$ETAS" --seeds "$SEEDS" --out "$OUT" --markdown)
if [ -n "$EPOCHS" ]; then
  args+=(--epochs "$EPOCHS")
fi

echo "bench-quality: bin/fairbinn ${args[*]} $*" >&2
start=$(date +%s)
summary=$(./bin/fairbinn "${args[@]}" "$@")
printf '%s\n\nPlot: pareto.png; every run: sweep.json. Took %d s.\n' "$summary" "$(( $(date +%s) - start ))" >"$OUT/summary.md"
cat "$OUT/summary.md"
