#!/usr/bin/env bash
# install-ort.sh installs the ONNX Runtime shared library that github.com/yalue/onnxruntime_go v1.35.0 needs
# (ONNX Runtime 1.29, linux/x64) into .deps/onnxruntime/libonnxruntime.so.1, where the runtime package looks
# for it.
#
# No Go module ships the library, and the npm package onnxruntime-node carries the official build, so the
# script fetches that package with `npm pack`, checks the tarball and the library against pinned sha256 sums
# and extracts only the library. It does nothing when the library is already installed and intact.
#
# Environment:
#   ORT_NPM_TARBALL  use this already downloaded onnxruntime-node-1.29.0.tgz instead of running npm pack
#                    (for offline machines; its sha256 is checked all the same)
set -euo pipefail

readonly ORT_VERSION="1.29.0"
readonly NPM_SPEC="onnxruntime-node@${ORT_VERSION}"
readonly TARBALL_SHA256="cfdfb45ec4044b1fdca43e5d2e180fb6817e649ff8ad1e0dfc90e18e51b67037"
readonly MEMBER="package/bin/napi-v6/linux/x64/libonnxruntime.so.1"
readonly LIB_SHA256="89688f5cf51c7e31befbb7b9101bc027799009b18d1baa9a5b1146a72e69538d"

log() { printf 'install-ort: %s\n' "$*" >&2; }
die() { printf 'install-ort: error: %s\n' "$*" >&2; exit 1; }

sha256_of() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "$1" | cut -d' ' -f1
	elif command -v shasum >/dev/null 2>&1; then
		shasum -a 256 "$1" | cut -d' ' -f1
	else
		die "neither sha256sum nor shasum is installed; cannot verify downloads"
	fi
}

# The pinned library is the linux/x64 build; on anything else it would install but fail to load.
os="$(uname -s)"
arch="$(uname -m)"
if [[ "$os" != "Linux" || "$arch" != "x86_64" ]]; then
	die "only linux/x86_64 is supported (this is ${os}/${arch}); install ONNX Runtime ${ORT_VERSION} yourself and set ONNXRUNTIME_LIB=/path/to/libonnxruntime.so.1"
fi

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest_dir="${repo_root}/.deps/onnxruntime"
dest="${dest_dir}/libonnxruntime.so.1"

if [[ -f "$dest" ]]; then
	have="$(sha256_of "$dest")"
	if [[ "$have" == "$LIB_SHA256" ]]; then
		log "ONNX Runtime ${ORT_VERSION} already installed at ${dest}"
		exit 0
	fi
	log "${dest} has sha256 ${have}, want ${LIB_SHA256}; reinstalling"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/install-ort.XXXXXX")"
tmp_lib=""
cleanup() {
	rm -rf "$work"
	if [[ -n "$tmp_lib" ]]; then
		rm -f "$tmp_lib"
	fi
}
trap cleanup EXIT

if [[ -n "${ORT_NPM_TARBALL:-}" ]]; then
	[[ -f "$ORT_NPM_TARBALL" ]] || die "ORT_NPM_TARBALL=${ORT_NPM_TARBALL}: no such file"
	tarball="$ORT_NPM_TARBALL"
	log "using ${tarball}"
else
	command -v npm >/dev/null 2>&1 || die "npm is not installed; install Node.js/npm, or download ${NPM_SPEC} elsewhere and set ORT_NPM_TARBALL=/path/to/onnxruntime-node-${ORT_VERSION}.tgz"
	log "downloading ${NPM_SPEC} with npm pack (about 110 MB)"
	# npm prints the tarball's file name as the last line of stdout.
	name="$(cd "$work" && npm pack --silent "$NPM_SPEC" | tail -n 1)" || die "npm pack ${NPM_SPEC} failed"
	tarball="${work}/${name}"
	[[ -f "$tarball" ]] || die "npm pack did not produce ${tarball}"
fi

have="$(sha256_of "$tarball")"
if [[ "$have" != "$TARBALL_SHA256" ]]; then
	die "${tarball}: sha256 ${have}, want ${TARBALL_SHA256}; refusing to install an unverified library"
fi

mkdir -p "$dest_dir"
# The temporary file sits beside the destination so the final mv is a rename on one file system, which is
# atomic: readers see either no library or the complete, verified one.
tmp_lib="$(mktemp "${dest_dir}/.libonnxruntime.so.1.XXXXXX")"
tar -xzOf "$tarball" "$MEMBER" >"$tmp_lib" || die "${tarball}: cannot extract ${MEMBER}"

have="$(sha256_of "$tmp_lib")"
if [[ "$have" != "$LIB_SHA256" ]]; then
	die "extracted ${MEMBER}: sha256 ${have}, want ${LIB_SHA256}"
fi

chmod 0755 "$tmp_lib"
mv -f "$tmp_lib" "$dest"
tmp_lib=""
log "installed ONNX Runtime ${ORT_VERSION} at ${dest}"
