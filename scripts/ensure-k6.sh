#!/bin/sh
# Installs k6 for the load tests (load/) when it is missing. k6 is in neither npm nor Debian, so it is
# built from source with the Go toolchain into .tools/bin, and reused while it reports the pinned version.
# Prints the path of the k6 binary on stdout; what it does goes to stderr.
set -e
cd "$(dirname "$0")/.."

K6_VERSION=v1.8.1
bin="$PWD/.tools/bin"
k6="$bin/k6"

if [ -x "$k6" ] && "$k6" version 2>/dev/null | grep -q "k6 $K6_VERSION "; then
  echo "k6 $K6_VERSION found in .tools/bin" >&2
  echo "$k6"
  exit 0
fi

go=$(command -v go || echo /usr/local/go/bin/go)
if [ ! -x "$go" ]; then
  echo "ensure-k6: Go is needed to build k6 $K6_VERSION and was not found (PATH or /usr/local/go/bin)" >&2
  exit 1
fi

echo "building k6 $K6_VERSION with $("$go" env GOVERSION) into .tools/bin (go install go.k6.io/k6@$K6_VERSION; a few minutes the first time)" >&2
started=$(date +%s)
# GOTOOLCHAIN=local: build with the Go that is installed rather than fetching the one k6's go.mod names.
GOBIN="$bin" GOTOOLCHAIN=local "$go" install "go.k6.io/k6@$K6_VERSION"
echo "k6 $K6_VERSION built in $(($(date +%s) - started))s: $("$k6" version | head -n 1)" >&2
echo "$k6"
