// The API key a client presents, and what the rendered key maps said about it. Pure: njs and node tests.

/**
 * The key from `Authorization: Bearer <key>` (OpenAI SDKs, most clients) or `x-api-key: <key>`;
 * "" when there is none. Any other Authorization value is passed on whole, so it is refused as a
 * wrong key (401 invalid) rather than as a missing one.
 */
export function presentedKey(authorization: string | undefined, apiKey: string | undefined): string {
  const auth = (authorization || '').trim();
  if (auth !== '') {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    return m ? m[1] : auth;
  }
  return (apiKey || '').trim();
}

/** Values of the rendered `$gw_key_state` map (from the key's hash). */
export type KeyState = 'ok' | 'missing' | 'invalid' | 'disabled';

/** Catalogue key of the error for a request refused by the server-level auth check (401/403). */
export function authErrorKey(status: number, state: string): 'missing_api_key' | 'invalid_api_key' | 'api_key_disabled' | undefined {
  if (status === 401) return state === 'missing' ? 'missing_api_key' : 'invalid_api_key';
  if (status === 403 && state === 'disabled') return 'api_key_disabled';
  return undefined;
}
