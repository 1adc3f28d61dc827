// The sidecar's HTTP app: one plugin per capability, registered by one factory so that tests can
// build it and call app.inject().
import Fastify, { type FastifyInstance } from 'fastify';
import type { GatewayConfig } from '../config/schema.ts';
import type { Fleet } from './fleet/fleet.ts';
import type { InputGuard } from './guard/input-guard.ts';
import type { OutputGuard } from './guard/output-guard.ts';
import { admitRoutes } from './routes/admit.ts';
import { controlRoutes, type ControlOptions } from './routes/control.ts';
import { fleetApiRoutes } from './routes/fleet-api.ts';
import { scanOutputRoutes } from './routes/scan-output.ts';

export interface AppDeps {
  current: () => { fleet: Fleet; config: GatewayConfig; guard?: InputGuard; outputGuard?: OutputGuard };
  control?: ControlOptions;
  logger?: boolean | object;
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    logger: deps.logger ?? false,
    // nginx sends its request id; use it so sidecar logs join the access log.
    requestIdHeader: 'x-request-id',
    keepAliveTimeout: 75_000,
  });
  app.register(admitRoutes, { guard: () => deps.current().guard });
  app.register(scanOutputRoutes, { guard: () => deps.current().outputGuard });
  app.register(fleetApiRoutes, { current: deps.current });
  if (deps.control) app.register(controlRoutes, deps.control);
  return app;
}
