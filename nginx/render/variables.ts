// How the conf writes the gateway's variables: V.gw_pool is "$gw_pool", for every name in
// core/nginx-variables.ts, so a misspelt one fails typecheck here as it does in njs.
import { CONF_ONLY_VARIABLES, CONF_VARIABLES, NJS_REPORT_VARIABLES, NJS_REQUEST_VARIABLES, NJS_RETRY_VARIABLES, NJS_SCHEDULE_VARIABLES, NJS_SETTING_VARIABLES, NJS_TRANSLATE_VARIABLES, OUTPUT_SETTING_VARIABLES, type GwVariable } from '../../core/contract.ts';

/** Every gateway variable name, as listed in core/nginx-variables.ts. */
export const GW_VARIABLES: readonly GwVariable[] = [
  ...NJS_REQUEST_VARIABLES,
  ...NJS_SETTING_VARIABLES,
  ...NJS_RETRY_VARIABLES,
  ...NJS_SCHEDULE_VARIABLES,
  ...NJS_TRANSLATE_VARIABLES,
  ...OUTPUT_SETTING_VARIABLES,
  ...NJS_REPORT_VARIABLES,
  ...CONF_VARIABLES,
  ...CONF_ONLY_VARIABLES,
];

export const V = Object.fromEntries(GW_VARIABLES.map((name) => [name, `$${name}`])) as { readonly [K in GwVariable]: `$${K}` };
