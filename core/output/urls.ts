// MaliciousURLs: what makes the authority (host part) of a URL in generated text suspicious.
// Input is already folded (lower case). Reasons are ASCII and never quote the URL.

/** "zip", ".ZIP " → "zip". */
export function normalizeTlds(tlds: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < tlds.length; i++) {
    let t = String(tlds[i]).trim().toLowerCase();
    while (t.charAt(0) === '.') t = t.slice(1);
    if (t) out.push(t);
  }
  return out;
}

/**
 * A function telling why a URL's authority ("user:pw@host:port", folded) is suspicious, or null.
 * Made once per response (its regexps are allocated once; String#search is cheap in njs where
 * RegExp#test is not).
 */
export function createAuthorityCheck(suspiciousTlds: string[]): (authority: string) => string | null {
  const tlds = normalizeTlds(suspiciousTlds);
  // A raw IPv4 address in any notation browsers accept (dotted, one number, hex or octal parts).
  const numeric = /^(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}$/;
  // Link shorteners hide the real target from the reader.
  const shortener =
    /^(?:www\.)?(?:bit\.ly|bitly\.com|bit\.do|tinyurl\.com|t\.co|goo\.gl|ow\.ly|is\.gd|v\.gd|buff\.ly|rebrand\.ly|cutt\.ly|shorturl\.at|rb\.gy|tiny\.cc|t\.ly|s\.id|lnkd\.in|bl\.ink|tr\.im|x\.co|adf\.ly|shorte\.st|clck\.ru|qrco\.de|tiny\.one|soo\.gd|u\.to|db\.tt|surl\.li|short\.gy)$/;
  return function authorityProblem(authority: string): string | null {
    if (authority.indexOf('@') >= 0) return 'URL with embedded credentials';
    if (authority.charAt(0) === '[') return 'URL with a raw IP host';
    let host = authority;
    const colon = host.indexOf(':');
    if (colon >= 0) host = host.slice(0, colon);
    while (host.length > 0 && host.charAt(host.length - 1) === '.') host = host.slice(0, host.length - 1);
    if (!host) return null;
    if (host.search(numeric) === 0) return 'URL with a raw IP host';
    if (host.indexOf('xn--') === 0 || host.indexOf('.xn--') >= 0) return 'URL with a punycode host';
    if (host.search(shortener) === 0) return 'URL shortener host';
    const dot = host.lastIndexOf('.');
    if (dot > 0 && tlds.indexOf(host.slice(dot + 1)) >= 0) return 'URL host with a suspicious TLD';
    return null;
  };
}
