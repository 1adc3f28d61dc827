#!/bin/sh
# Entrypoint of the sidecar container. nginx (another container) loads the njs bundle from a volume
# that this container fills with its own build, so both always run the same code. When the bundle
# changed (a new image), the installed conf is dropped too: the sidecar then installs it anew, and
# its `nginx -t` + reload puts the new bundle into service.
set -eu
run_dir=${GATEWAY_RUNTIME_DIR:-/var/lib/llm-gateway}
share=${GATEWAY_NJS_SHARE:-/var/lib/llm-gateway-njs}
if ! cmp -s /app/dist/njs/gateway.js "$share/gateway.js"; then
  cp /app/dist/njs/gateway.js "$share/.gateway.js.next"
  mv "$share/.gateway.js.next" "$share/gateway.js"
  rm -f "$run_dir/conf/nginx.conf"
fi
exec gateway "$@"
