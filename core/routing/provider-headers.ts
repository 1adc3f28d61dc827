// How each kind of backend takes the provider's credential (and Anthropic its API version): the
// probes send these headers, and the rendered conf sends the same to every proxied request.

export const BACKEND_KINDS = ['ollama', 'openai', 'anthropic', 'azure'] as const;
export type BackendKind = (typeof BACKEND_KINDS)[number];

/** The anthropic-version header when the config names none. */
export const ANTHROPIC_DEFAULT_VERSION = '2023-06-01';

/** The headers that carry `secret` (lower-case names) to a backend of `kind`. */
export function credentialHeaders(kind: BackendKind, secret: string, apiVersion: string | undefined): Record<string, string> {
  if (kind === 'anthropic') return { 'x-api-key': secret, 'anthropic-version': apiVersion ?? ANTHROPIC_DEFAULT_VERSION };
  if (kind === 'azure') return { 'api-key': secret };
  return { authorization: `Bearer ${secret}` };
}

/** The header names a kind's credential takes; the conf clears the others (a client's own included). */
export const CREDENTIAL_HEADERS = ['authorization', 'x-api-key', 'api-key', 'anthropic-version'] as const;
export type CredentialHeader = (typeof CREDENTIAL_HEADERS)[number];
