// Routes the sidecar answers from its fleet view (aggregated over healthy backends), which nginx
// proxies as they are. /healthz too, so that a load balancer sees a 503 while the sidecar is down.
export const FLEET_ROUTES = ['/v1/models', '/api/tags', '/api/ps', '/api/version', '/readyz', '/healthz'];
