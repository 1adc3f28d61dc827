// Everything nginx needs, rendered from the config and the fleet state: file name → content.
import type { GatewayConfig } from '../../config/schema.ts';
import { anyCredential, anyHttps, BACKEND_AUTH_FILE, BACKEND_CA_FILE, renderAuthMap, renderCaBundle, renderTlsMaps } from './backend-tls.ts';
import { renderRouteMaps, renderUpstreams } from './fleet-conf.ts';
import { renderNginxConf } from './nginx-conf.ts';
import { renderBackendApiMap } from './translation-conf.ts';
import type { RenderPaths } from './render-paths.ts';
import { buildRouteTable, type FleetState } from '../../core/routing/route-table.ts';

export type { RenderPaths };
export { SECRET_FILES } from './backend-tls.ts';

export function renderAll(config: GatewayConfig, state: FleetState, paths: RenderPaths): Record<string, string> {
  const table = buildRouteTable(config, state);
  const maps = [renderRouteMaps(config, table, state), ...renderTlsMaps(config, table), ...renderBackendApiMap(config, table)].join('\n\n');
  const fleet = `# Generated from the config and the live fleet state. Do not edit.\n\n${renderUpstreams(config, table)}\n\n${maps}\n`;
  const files: Record<string, string> = { 'nginx.conf': renderNginxConf(config, paths), 'fleet.conf': fleet };
  if (anyHttps(config)) files[BACKEND_CA_FILE] = renderCaBundle(config);
  if (anyCredential(config)) files[BACKEND_AUTH_FILE] = renderAuthMap(config, table);
  return files;
}
