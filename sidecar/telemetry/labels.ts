// Metric label values from closed sets: a label never carries raw client input, so the number of
// series stays bounded whatever clients send.
import type { GatewayConfig } from '../../config/schema.ts';
import { FLEET_ROUTES } from '../../core/routing/fleet-routes.ts';
import { modelRoutes } from '../../core/routing/routes.ts';
import type { Fleet } from '../fleet/fleet.ts';

// Model routes, the routes the sidecar answers behind nginx, and nginx's own: built once, read per log line.
const MODEL_ROUTES = modelRoutes();
const FIXED_ROUTES = [...FLEET_ROUTES, '/'];

export function isModelRoute(uri: string): boolean {
  return Object.hasOwn(MODEL_ROUTES, uri);
}

export function routeLabel(uri: string): string {
  if (isModelRoute(uri) || FIXED_ROUTES.includes(uri)) return uri;
  if (uri.startsWith('/v1/models/')) return '/v1/models/{id}';
  return 'other';
}

export function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
}

/** A configured name (backend, key id, scanner), "none" when empty, "other" for anything else. */
export function closedLabel(value: string, allowed: (v: string) => boolean): string {
  if (!value) return 'none';
  return allowed(value) ? value : 'other';
}

/** What label values may be: read per line, as a config reload changes them. */
export interface LabelSets {
  backend(name: string): boolean;
  /** The model name the route table knows (lower case), or undefined. */
  model(requested: string): string | undefined;
  key(id: string): boolean;
}

export function labelSetsFor(config: GatewayConfig, fleet: Fleet): LabelSets {
  return {
    backend: (name) => config.backends.some((b) => b.name === name),
    model: (requested) => {
      const name = requested.toLowerCase();
      return name in fleet.table.v1.routes || name in fleet.table.api.routes ? name : undefined;
    },
    // Key ids reach the log from nginx's map of configured keys, never from the client.
    key: (id) => /^[a-z0-9][a-z0-9_-]{0,39}$/.test(id),
  };
}
