#!/bin/sh
# Makes the secrets docker-compose.yml reads, once: the bearer token Prometheus scrapes the sidecar
# with, and Grafana's admin password. Existing ones are kept.
set -eu
dir="$(dirname "$0")/secrets"
# The folder keeps other host users out; the files stay readable because the containers that read
# them (Prometheus as nobody, Grafana as uid 472) do not run as their owner.
chmod 700 "$dir"
for name in metrics-token grafana-admin-password; do
  if [ ! -s "$dir/$name" ]; then
    openssl rand -hex 32 > "$dir/$name"
    chmod 644 "$dir/$name"
    echo "wrote $dir/$name"
  fi
done
