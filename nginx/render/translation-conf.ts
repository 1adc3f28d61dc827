// What translation needs in the conf, only in fleets with another kind than ollama: the API each
// group speaks ($gw_backend_api, read by njs to pick a translation), the variables njs sets for the
// translated proxy (core/translate/route-translation.ts), and that proxy's settings.
import type { GatewayConfig } from '../../config/schema.ts';
import { NJS_TRANSLATE_VARIABLES } from '../../core/contract.ts';
import type { RouteTable } from '../../core/routing/route-table.ts';
import { poolMap } from './backend-tls.ts';
import { groups } from './fleet-conf.ts';
import { V } from './variables.ts';

export function translates(config: GatewayConfig): boolean {
  return config.backends.some((b) => b.kind !== 'ollama');
}

/** fleet.conf's map of each group's API: "openai", "anthropic", "azure <api-version>"; Ollama groups take the default. */
export function renderBackendApiMap(config: GatewayConfig, table: RouteTable): string[] {
  if (!translates(config)) return [];
  return [poolMap(config, groups(table), V.gw_backend_api, '', (b) => (b.kind === 'ollama' ? undefined : b.kind === 'azure' ? `azure ${b.apiVersion}` : b.kind))];
}

export function renderTranslationVariables(config: GatewayConfig): string {
  if (!translates(config)) return '';
  return ['    # Set by njs when the backend speaks another API than the client.', ...NJS_TRANSLATE_VARIABLES.map((name) => `    js_var ${V[name]};`)].join('\n') + '\n';
}

/** The translated proxy's own settings: njs's body ($gw_body) to the backend's path, the answer translated back by filters. */
export function translatedProxySettings(): string {
  return `
        proxy_set_body ${V.gw_body};
        js_header_filter gw.translateHeaders;`;
}
