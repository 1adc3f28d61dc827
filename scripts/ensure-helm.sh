#!/bin/sh
# Installs helm for the chart's tests (deploy/helm/) when it is missing. helm is in neither npm nor
# Debian's packages here, so it is built from source with the Go toolchain into .tools/bin
# (scripts/go-tool.sh), and reused while it reports the pinned version. Prints the path of the helm
# binary on stdout; what it does goes to stderr.
set -e
cd "$(dirname "$0")/.."
. scripts/go-tool.sh

HELM_VERSION=v3.21.4
# Stamped as helm's release builds do, or `helm version` would say v3.x-dev.
go_tool helm "$HELM_VERSION" "version --short" "^$HELM_VERSION" helm.sh/helm/v3/cmd/helm "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
