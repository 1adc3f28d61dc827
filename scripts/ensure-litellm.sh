#!/bin/sh
# Installs LiteLLM's proxy, the second peer of `npm run bench` (bench/litellm.ts), when it is missing: a
# Python virtual environment in .tools/litellm with `litellm[proxy]` from PyPI at the pinned version,
# reused while it holds that version. Python packages stay out of the system Python and out of git.
set -e
cd "$(dirname "$0")/.."

LITELLM_VERSION=1.108.7
venv="$PWD/.tools/litellm"

installed=$("$venv/bin/python" -c 'from importlib.metadata import version; print(version("litellm"))' 2>/dev/null || true)
if [ "$installed" = "$LITELLM_VERSION" ] && [ -x "$venv/bin/litellm" ]; then
  echo "litellm $LITELLM_VERSION found in .tools/litellm" >&2
  exit 0
fi

# A fresh Debian has python3 but not its venv module: both come from apt, like the bench's wrk.
if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
  echo "installing from apt: python3 python3-venv" >&2
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3 python3-venv >/dev/null
fi
python=$(command -v python3)
echo "installing litellm[proxy]==$LITELLM_VERSION from PyPI into .tools/litellm with $("$python" --version) (a minute or two the first time)" >&2
started=$(date +%s)
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "litellm[proxy]==$LITELLM_VERSION"
echo "litellm $LITELLM_VERSION installed in $(($(date +%s) - started))s" >&2
