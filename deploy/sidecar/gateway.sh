#!/bin/sh
# The gateway CLI in the sidecar image, on PATH as `gateway`:
#   docker compose exec sidecar gateway reload | keys create <id> | validate ...
cd /app
exec node --import tsx cli/main.ts "$@"
