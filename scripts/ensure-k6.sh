#!/bin/sh
# Installs k6 for the load tests (load/) when it is missing. k6 is in neither npm nor Debian, so it is
# built from source with the Go toolchain into .tools/bin (scripts/go-tool.sh), and reused while it
# reports the pinned version. Prints the path of the k6 binary on stdout; what it does goes to stderr.
set -e
cd "$(dirname "$0")/.."
. scripts/go-tool.sh

K6_VERSION=v1.8.1
go_tool k6 "$K6_VERSION" version "k6 $K6_VERSION " go.k6.io/k6
