// The request's gateway variables ($gw_*), typed by the names in core/nginx-variables.ts: a misspelt
// name, or a write to one the conf sets, fails typecheck. The only place njs touches vars(r).gw_*.
import type { GwVariables } from '../../core/contract.ts';

export function vars(r: NginxHTTPRequest): GwVariables {
  return r.variables as unknown as GwVariables;
}
