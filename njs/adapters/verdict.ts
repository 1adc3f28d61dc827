// Applies a sidecar verdict (on a prompt or on a whole answer) to the client's response: its headers
// always; when it blocks, the localized error in the API's shape. Returns true when the request may go on.
import type { AdmitVerdict, ApiShape } from '../../core/contract.ts';
import { sendError } from './respond.ts';

export function applyVerdict(r: NginxHTTPRequest, shape: ApiShape, verdict: AdmitVerdict, blockedCode: string): boolean {
  if (verdict.headers) {
    for (const name in verdict.headers) r.headersOut[name] = verdict.headers[name];
  }
  if (verdict.allow) return true;
  sendError(r, shape, verdict.status || 400, verdict.code || blockedCode, { lang: verdict.lang, text: verdict.message, extra: verdict.guard });
  return false;
}
