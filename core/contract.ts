// Types shared by the njs module and the sidecar: the one place where both sides of a subrequest
// and of the rendered nginx variables agree (the variables' names: core/nginx-variables.ts).
export * from './nginx-variables.ts';

/** Which client API a route belongs to: OpenAI-compatible (/v1/*) or Ollama native (/api/*). */
export type ApiShape = 'openai' | 'ollama';

/** Body of the njs → sidecar `/_admit` subrequest is the client's own request body; these ride in headers. */
export const ADMIT_HEADER_ROUTE = 'X-Gateway-Route';
export const ADMIT_HEADER_MODEL = 'X-Gateway-Model';
/** Id of the client's API key ("" when auth is off), for its token quota. */
export const ADMIT_HEADER_KEY = 'X-Gateway-Key-Id';
/** The upstream group the request goes to once admitted: the sidecar counts it in flight from then on. */
export const ADMIT_HEADER_POOL = 'X-Gateway-Pool';
/** The model as the backend will see it (after aliases): the scheduler's residency is by that name. */
export const ADMIT_HEADER_SERVE_MODEL = 'X-Gateway-Serve-Model';
/** The client's requested priority (scheduling), passed on as sent; the sidecar bounds it by the key's. */
export const PRIORITY_HEADER = 'X-Priority';
/** The client's key's model globs (core/routing/model-globs.ts) on listings the sidecar answers; absent = no policy. */
export const KEY_MODELS_HEADER = 'X-Gateway-Key-Models';
/** Language of the prompt, sent with a whole answer to /scan/output. */
export const SCAN_HEADER_LANG = 'X-Gateway-Lang';
/** Verdict headers of /scan/output that njs passes on with a whole answer; the sidecar's metrics count them. */
export const OUTPUT_BLOCKED_HEADER = 'X-Guard-Output-Blocked-By';
export const OUTPUT_REDACTED_HEADER = 'X-Guard-Output-Redacted';
/** Scanners in monitor mode that flagged the answer, ", "-separated. */
export const OUTPUT_FLAGGED_HEADER = 'X-Guard-Output-Flagged';

/** The sidecar's answer to `/_admit`. */
export interface AdmitVerdict {
  allow: boolean;
  /** BCP 47 primary language subtag of the prompt (or of Accept-Language), for localized errors. */
  lang: string;
  /** When blocked: HTTP status and catalogue key of the reason, and the message already localized. */
  status?: number;
  code?: string;
  message?: string;
  /** Extra response headers (verdict details), set on the client's response either way. */
  headers?: Record<string, string>;
  /**
   * A scanner rewrote the body (redaction): the sidecar holds the new one under this reference, and
   * njs fetches it from HELD_BODY_URI, so the verdict stays small whatever the body's size.
   */
  bodyRef?: string;
  /** Scheduling: the backend whose slot the request holds (njs proxies to its single-server group). */
  backend?: string;
  /** Scheduling: no slot is free; njs hands the request to QUEUE_LOCATION, which waits for one. */
  queue?: boolean;
  /** When blocked by the guard: which scanner, detected language, and why (English) when the config shows clients the details. */
  guard?: { scanner: string; reason?: string; language: string };
}

/** A guard's verdict inside the sidecar: `body` is the rewritten text, held for njs behind `bodyRef`. */
export interface GuardVerdict extends AdmitVerdict {
  body?: string;
}

/** Internal location njs fetches a held body from (`?ref=<bodyRef>`); its buffer holds nginx.maxBodySize. */
export const HELD_BODY_URI = '/_held_body';

/**
 * Value of the rendered `$gw_route_v1` / `$gw_route_api` map for a model:
 * "" unknown model, "!" known but no healthy backend, "<pool>" or "<pool> <model to send>".
 */
export const ROUTE_UNAVAILABLE = '!';

/** Internal location of the error page for requests nginx could not parse (400, 414): they have no URI to keep. */
export const ERROR_URI = '/_gw/error';

/**
 * Named locations that proxy to the backends, one pair per read timeout ("30s", "5m" as nginx writes
 * them): "<prefix><timeout>". The rewritten one sends $gw_body instead of the client's body.
 */
export const UPSTREAM_LOCATION = '@upstream_';
export const UPSTREAM_REWRITTEN_LOCATION = '@upstream_rewritten_';
/** The proxy of requests the response cache may answer (their body is always the canonical one njs hashed). */
export const UPSTREAM_CACHED_LOCATION = '@upstream_cached';

/** Prefix of upstream group names: "gw." + member backend names joined by "." (names hold no "."). */
export const POOL_PREFIX = 'gw.';

/** Internal location that proxies a whole answer into njs (subrequest) so the sidecar can check it first. */
export const UPSTREAM_URI = '/_gw/upstream';

/**
 * Scheduling: when /admit found no free slot, njs hands the request to QUEUE_LOCATION, whose
 * auth_request (QUEUE_URI → the sidecar's /queue, headers only) waits for one; nginx cancels it when
 * the client goes away. The sidecar answers 200 with the backend in SCHEDULED_BACKEND_HEADER, or 403
 * with the reason in QUEUE_REFUSED_HEADER (queue_full, queue_timeout, no_backend); njs then proxies
 * or answers. QUEUE_MS_HEADER: milliseconds waited, from the sidecar to njs and from njs to the client.
 */
export const QUEUE_LOCATION = '@gw_queue';
export const QUEUE_URI = '/_gw/queue';
export const SCHEDULED_BACKEND_HEADER = 'X-Gateway-Scheduled';
export const QUEUE_REFUSED_HEADER = 'X-Gateway-Queue-Refused';
export const QUEUE_MS_HEADER = 'X-Gateway-Queue-Ms';
