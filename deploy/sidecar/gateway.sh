#!/bin/sh
# The gateway CLI in the sidecar image, on PATH as `gateway`:
#   docker compose exec sidecar gateway reload | validate ...
#   docker compose exec -u 0 sidecar gateway keys create <id>   (root writes the bind-mounted config)
cd /app
exec node dist/node/cli/main.js "$@"
