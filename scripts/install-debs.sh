#!/usr/bin/env bash
# Installs the Debian packages fairbinn's tests use, when they are missing:
#   python3-onnx      onnx.checker for exported models
#   libonnx-testdata  the ONNX backend node tests
#   libopenblas-dev   the BLAS the training loop can use
#   protobuf-compiler to regenerate internal/onnxpb (go generate)
#   chromium          a headless browser that renders the HTML audit report (report's browser test)
# Regenerating the PyTorch backbones in testdata/gen also needs python3-torch python3-pandas; it is not
# needed for the tests (the generated files are committed), so it is installed only with --torch.
set -euo pipefail

pkgs=(python3-onnx libonnx-testdata libopenblas-dev protobuf-compiler chromium)
if [[ "${1:-}" == "--torch" ]]; then
  pkgs+=(python3-torch python3-pandas)
fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then
    sudo="sudo"
  else
    echo "install-debs: need root to install: ${missing[*]}" >&2
    exit 1
  fi
fi
echo "install-debs: installing ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
