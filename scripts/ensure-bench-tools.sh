#!/bin/sh
# Installs what `npm run bench` and `npm run bench:guard` need besides the gateway's own modules: the
# wrk load generator from apt, and the packages only the benches use (bench/package.json: the peer
# gateway Portkey, the language detectors ours is compared with), which `npm ci` at the top leaves out.
set -e
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null 2>&1; then
  echo "installing from apt: wrk" >&2
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk >/dev/null
fi
if [ ! -f bench/node_modules/.package-lock.json ] || [ bench/package-lock.json -nt bench/node_modules/.package-lock.json ]; then
  npm ci --prefix bench --no-audit --no-fund --loglevel=error
fi
