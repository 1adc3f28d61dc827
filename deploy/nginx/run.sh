#!/bin/sh
# Entrypoint of the nginx container. The sidecar (another container) renders the conf into the shared
# runtime volume and reloads nginx through the shared pid namespace; nginx starts once both files exist.
# The flags are the ones the gateway uses on a host (nginx/control.ts), so `nginx -t` there tests this.
set -eu
run_dir=${GATEWAY_RUNTIME_DIR:-/var/lib/llm-gateway}
said=""
until [ -f "$run_dir/conf/nginx.conf" ] && [ -f "$run_dir/conf/fleet.conf" ]; do
  [ -n "$said" ] || echo "waiting for the sidecar to render $run_dir/conf" >&2
  said=yes
  sleep 1
done
exec nginx -p "$run_dir/" -c "$run_dir/conf/nginx.conf" -e stderr
