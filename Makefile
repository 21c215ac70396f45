# fairbinn-go. `make demo` and `make test` work on a fresh clone: they install what they need first.
GO      ?= go
BIN     := bin/fairbinn
export CGO_ENABLED ?= 1

.PHONY: all build deps demo test test-short fuzz vet generate clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/fairbinn

# The ONNX Runtime shared library (from npm onnxruntime-node@1.29.0, sha256-checked, into .deps/) and the
# Debian packages the tests use.
deps:
	./scripts/install-debs.sh
	./scripts/install-ort.sh
	$(GO) mod download

demo: deps build
	./$(BIN) demo

# Every test, then a short fuzz of the importer and of its streaming decoder against proto.Unmarshal
# (count-based: a time-based fuzz run can end on a race inside Go's fuzzer).
test: deps
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 20m ./...
	$(GO) test ./importer -run '^$$' -fuzz FuzzImport -fuzztime 20000x
	$(GO) test ./importer -run '^$$' -fuzz FuzzUnmarshalMatchesProto -fuzztime 20000x
	$(GO) test ./dataset -run '^$$' -fuzz FuzzLoadCSV -fuzztime 10000x
	$(GO) test ./dataset -run '^$$' -fuzz FuzzParseEncoding -fuzztime 20000x
	$(GO) test . -run '^$$' -fuzz FuzzParseFlags -fuzztime 20000x

# Unit tests only: -short skips the ONNX backend node tests, the loops over every backbone, the training
# runs of the CLI tests, the sweeps and the benchmark's end-to-end run.
test-short:
	$(GO) test -short ./...

# Longer fuzzing of the importer, by hand.
fuzz:
	$(GO) test ./importer -run '^$$' -fuzz FuzzImport -fuzztime 2000000x
	$(GO) test ./dataset -run '^$$' -fuzz FuzzLoadCSV -fuzztime 300000x
	$(GO) test ./dataset -run '^$$' -fuzz FuzzParseEncoding -fuzztime 1000000x
	$(GO) test . -run '^$$' -fuzz FuzzParseFlags -fuzztime 1000000x

# Regenerates internal/onnxpb from onnx-ml.proto with protoc (Debian protobuf-compiler) and protoc-gen-go at
# the version go.mod pins for google.golang.org/protobuf.
generate:
	GOBIN=$(CURDIR)/.deps/bin $(GO) install google.golang.org/protobuf/cmd/protoc-gen-go
	PATH=$(CURDIR)/.deps/bin:$$PATH $(GO) generate ./...

clean:
	rm -rf bin out

# The quality benchmark (long; not part of `make test`): on Adult (attribute-aware and attribute-blind),
# law_school, credit_default and bank_marketing, every training method × 5 seeds for dp<=0.01 and, separately,
# eo<=0.05, beside the backbone, the threshold baseline and the optimistic bound; out/bench-quality/summary.md
# (a table per data set). Reads ../shared/data. Settings in scripts/bench-quality.sh (SEEDS, DATASETS,
# METHODS, CONSTRAINTS, EPOCHS, ...); ETA_GRID=1 runs the earlier Adult η grid instead. A quick end-to-end
# check: make bench-quality EPOCHS=1 SEEDS=1
.PHONY: bench-quality
bench-quality:
	./scripts/install-debs.sh
	./scripts/install-ort.sh
	GO=$(GO) ./scripts/bench-quality.sh

# The speed benchmark: Adult training in the FairBiNN configuration against the PyTorch peer
# (../shared/bench/torch_fairbinn.py at 2 threads and at 1, run just before fairbinn in the same run;
# the faster of the two counts), fairbinn on the whole graph and with the prefix frozen (--train-leader
# after), 3 runs each (medians and ranges), the GEMM floor measured in the same run, onnxruntime and Go
# inference, import and export of a generated 100 MB MLP: out/bench/bench.json and bench.md. Then the
# kernel benchmarks, each beside a reference measured in the same run: out/bench/go-bench.txt.
# BENCH_FLAGS passes flags on, e.g. BENCH_FLAGS='--repeat 5 --model-mb 0'.
# `make build` links OpenBLAS through cgo (CGO_ENABLED=1, the default above); CGO_ENABLED=0 builds the
# pure-Go fallback (gonum's Sgemm).
.PHONY: bench
bench:
	./scripts/install-debs.sh --torch
	./scripts/install-ort.sh
	$(GO) build -o bin/fairbinn ./cmd/fairbinn
	$(GO) build -o bin/fairbinn-bench ./cmd/fairbinn-bench
	./bin/fairbinn-bench --out-dir out/bench $(BENCH_FLAGS)
	$(GO) test -run '^$$' -bench . ./internal/blas ./lower ./train > out/bench/go-bench.txt; \
		status=$$?; cat out/bench/go-bench.txt; exit $$status

# The large-file measurement: a seeded synthetic CSV of SCALE_ROWS Adult rows (fairbinn-bench synth-adult,
# 540 MB for 5,000,000 rows, written once into out/scale/), loaded alone as train loads it (load time,
# encoded size, peak RSS: fairbinn-bench load-data), then one epoch of `fairbinn train` on it with the
# shipped backbone under /usr/bin/time -v (out/scale/train.txt). Peak RSS is meant to stay within twice the
# encoded float32 data plus the model.
SCALE_ROWS ?= 5000000
SCALE_CSV  := out/scale/adult_$(SCALE_ROWS).csv
.PHONY: bench-scale
bench-scale:
	./scripts/install-ort.sh
	$(GO) build -o bin/fairbinn ./cmd/fairbinn
	$(GO) build -o bin/fairbinn-bench ./cmd/fairbinn-bench
	mkdir -p out/scale
	[ -e $(SCALE_CSV) ] || { ./bin/fairbinn-bench synth-adult --rows $(SCALE_ROWS) --seed 1 --out $(SCALE_CSV).tmp && mv $(SCALE_CSV).tmp $(SCALE_CSV); }
	./bin/fairbinn-bench load-data --backbone testdata/models/adult_mlp/model.onnx --data csv:$(SCALE_CSV)
	/usr/bin/time -v ./bin/fairbinn train --backbone testdata/models/adult_mlp/model.onnx --data csv:$(SCALE_CSV) \
		--position 2 --epochs 1 --html none --out out/scale/adult_fair.onnx > out/scale/train.txt 2>&1; \
		status=$$?; grep -E '^epoch|Elapsed|Maximum resident' out/scale/train.txt; exit $$status
