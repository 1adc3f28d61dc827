// js_set $gw_key_hash: the SHA-256 of the presented API key, which the rendered maps look up (key
// id, state, models, limits). nginx compares hashes, never secrets; the secret is never stored or logged.
import cr from 'crypto';
import { presentedKey } from '../auth/api-key.ts';

/** "sha256:<64 hex>", or "" when the request carries no key. */
export function keyHash(r: NginxHTTPRequest): string {
  try {
    const key = presentedKey(r.headersIn['Authorization'], r.headersIn['X-Api-Key']);
    return key === '' ? '' : 'sha256:' + cr.createHash('sha256').update(key).digest('hex');
  } catch (e) {
    // An unreadable key is a wrong key, not a missing one.
    r.error('gateway key hash: ' + String(e));
    return 'sha256:unreadable';
  }
}
