# Sourced by the ensure-*.sh scripts of tools that are in neither npm nor Debian's packages here: the
# tool is built from source with the Go toolchain into .tools/bin, and reused while it reports the
# pinned version. Prints the tool's path on stdout; what it does goes to stderr.
#   go_tool NAME VERSION "VERSION ARGS" GREP-PATTERN PACKAGE [LDFLAGS]
go_tool() {
  name=$1 version=$2 version_args=$3 pattern=$4 package=$5 ldflags=${6:-}
  tool="$PWD/.tools/bin/$name"
  # shellcheck disable=SC2086
  if [ -x "$tool" ] && "$tool" $version_args 2>/dev/null | grep -q "$pattern"; then
    echo "$name $version found in .tools/bin" >&2
    echo "$tool"
    return 0
  fi
  go=$(command -v go || echo /usr/local/go/bin/go)
  if [ ! -x "$go" ]; then
    echo "ensure-$name: Go is needed to build $name $version and was not found (PATH or /usr/local/go/bin)" >&2
    return 1
  fi
  echo "building $name $version with $("$go" env GOVERSION) into .tools/bin (go install $package@$version; a few minutes the first time)" >&2
  started=$(date +%s)
  # GOTOOLCHAIN=local: build with the Go that is installed rather than fetching the one go.mod names.
  GOBIN="$PWD/.tools/bin" GOTOOLCHAIN=local "$go" install -ldflags "$ldflags" "$package@$version"
  # shellcheck disable=SC2086
  echo "$name $version built in $(($(date +%s) - started))s: $("$tool" $version_args | head -n 1)" >&2
  echo "$tool"
}
