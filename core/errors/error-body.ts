// Error bodies in the shape each client API expects, so SDKs surface the message instead of a parse error.
import type { ApiShape } from '../contract.ts';

/** OpenAI's error "type" for an HTTP status. */
export function openaiErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}

/** Anthropic's error "type" for an HTTP status. */
export function anthropicErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status === 529) return 'overloaded_error';
  return status >= 500 ? 'api_error' : 'invalid_request_error';
}

function fieldsOf(shape: ApiShape, status: number, code: string, message: string, param?: string): Record<string, unknown> {
  if (shape === 'ollama') return { error: message };
  if (shape === 'anthropic') return { type: anthropicErrorType(status), message: message, code: code };
  return { message: message, type: openaiErrorType(status), code: code, param: param === undefined ? null : param };
}

/** `extra` adds fields next to the message (which guard scanner blocked, why): clients ignore what they do not know. */
export function errorBody(shape: ApiShape, status: number, code: string, message: string, param?: string, extra?: Record<string, string>): string {
  const fields = fieldsOf(shape, status, code, message, param);
  if (extra) {
    for (const k in extra) fields[k] = extra[k];
  }
  if (shape === 'ollama') return JSON.stringify(fields);
  return JSON.stringify(shape === 'anthropic' ? { type: 'error', error: fields } : { error: fields });
}

/** Catalogue key for an error status that nginx itself produced (no handler chose a reason). */
export function keyForStatus(status: number) {
  switch (status) {
    case 400: return 'bad_request' as const;
    case 404: return 'route_not_found' as const;
    case 405: return 'method_not_allowed' as const;
    case 408: return 'request_timeout' as const;
    case 413: return 'body_too_large' as const;
    case 414: return 'uri_too_long' as const;
    case 429: return 'rate_limited' as const;
    case 431: case 494: return 'headers_too_large' as const;
    case 502: return 'backend_failed' as const;
    case 503: return 'service_unavailable' as const;
    case 504: return 'backend_timeout' as const;
    default: return status >= 500 ? ('internal_error' as const) : ('bad_request' as const);
  }
}
