// Types of the streamed-output guard (njs/output/stream-guard.ts), shared by its sibling modules.

/** Which output checks run on a streamed answer (what the config enables for the route). */
export interface OutputRules {
  /**
   * Phrases that must not appear in the answer, matched as case-insensitive substrings. The guard
   * folds them itself (lower case, typographic apostrophes → ', full-width/ideographic commas → ',',
   * tabs, newlines and no-break spaces → ' '), exactly as it folds the generated text: pass them as
   * written in the config. Empty strings are ignored.
   */
  banSubstrings: string[];
  /** Refusal phrases ("I'm sorry, but I can't", "As an AI language model", …) in the 15 catalogue languages. */
  noRefusal: boolean;
  /**
   * URLs with a raw IP host, a punycode (xn--) host, credentials (user:pass@), a known shortener host or
   * a TLD from `suspiciousTlds` (with or without the leading dot, any case); data: and javascript: URIs.
   */
  maliciousUrls: null | { suspiciousTlds: string[] };
  /** Fenced code blocks (``` or ~~~) and inline `code`. */
  noCode: boolean;
  /** A small synchronous subset of secret patterns; the full gitleaks set runs in the sidecar on whole responses. */
  secrets: boolean;
  /**
   * Scanners in monitor mode: their findings are recorded (each scanner's first one per answer) and
   * the answer goes on; they hold nothing back. Absent or empty: every finding blocks.
   */
  monitor?: OutputScanner[];
}

export type StreamFormat = 'sse' | 'ndjson';

export type OutputScanner = 'BanSubstrings' | 'NoRefusal' | 'MaliciousURLs' | 'NoCode' | 'Secrets';

/** What a rule found: why the stream was ended, or what a monitored scanner flagged. */
export interface Finding {
  scanner: OutputScanner;
  /** ASCII, for logs and headers; never the matched text. */
  reason: string;
}

export interface StreamGuard {
  /**
   * Feed the next chunk of the upstream body (split anywhere between whole characters). Returns what
   * may be sent to the client now, and the findings of monitored scanners first seen in this chunk.
   * Once blocked, returns the terminal event(s) and afterwards ''. `cut`: the stream ends because
   * its backend stopped; an unfinished event is dropped, not released.
   */
  push(chunk: string, last: boolean, cut?: boolean): StreamPush;
}

export interface StreamPush {
  out: string;
  /** The finding that ended the stream (`out` ends with the terminal event). */
  blocked?: Finding;
  /** Monitored findings new in this push (present only when there are some). */
  flagged?: Finding[];
}
