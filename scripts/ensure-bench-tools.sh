#!/bin/sh
# Installs what `npm run bench` needs besides the node modules (scripts/ensure-deps.sh installs those,
# the peer gateway @portkey-ai/gateway among them): the wrk load generator from apt, when it is missing.
set -e
if ! command -v wrk >/dev/null 2>&1; then
  echo "installing from apt: wrk" >&2
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk >/dev/null
fi
