// Everything nginx needs, rendered from the config and the fleet state: file name → content.
import type { GatewayConfig } from '../../config/schema.ts';
import { renderRouteMaps, renderUpstreams } from './fleet-conf.ts';
import { renderNginxConf } from './nginx-conf.ts';
import type { RenderPaths } from './render-paths.ts';
import { buildRouteTable, type FleetState } from '../../core/routing/route-table.ts';

export type { RenderPaths };

export function renderAll(config: GatewayConfig, state: FleetState, paths: RenderPaths): Record<string, string> {
  const table = buildRouteTable(config, state);
  const fleet = `# Generated from the config and the live fleet state. Do not edit.\n\n${renderUpstreams(config, table)}\n\n${renderRouteMaps(config, table, state)}\n`;
  return { 'nginx.conf': renderNginxConf(config, paths), 'fleet.conf': fleet };
}
