#!/bin/sh
# Installs what the gateway needs when it is missing, so `npm start`, `npm run demo` and `npm test`
# work on a fresh Debian machine: nginx with the njs module, the njs CLI, promtool, wrk and redis-server from apt, node modules from npm.
set -e
cd "$(dirname "$0")/.."

missing=""
command -v nginx >/dev/null 2>&1 || missing="$missing nginx"
[ -e /usr/lib/nginx/modules/ngx_http_js_module.so ] || missing="$missing libnginx-mod-http-js"
command -v njs >/dev/null 2>&1 || missing="$missing njs"
command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
# promtool (tests check the /metrics output and the Prometheus config with it).
command -v promtool >/dev/null 2>&1 || missing="$missing prometheus"
# wrk (the reload test holds keep-alive load with it, as the bench does).
command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
# redis-server (the tests of limits shared by replicas start their own).
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
if [ -n "$missing" ]; then
  echo "installing from apt:$missing" >&2
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# Install from the lock file when node_modules is absent or older than it. `npm ci` refuses a lock
# without other platforms' optional packages (rollup's), which registries that serve only this
# platform's leave out; `npm install` then installs the same locked versions without rewriting it.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=silent || npm install --no-audit --no-fund --loglevel=error
fi
