// The gateway's configuration: one YAML file, validated here. This schema is the single source of
// truth: defaults and descriptions live in it, nginx conf and sidecar settings are derived from it,
// and docs/CONFIG.md is generated from it (`gateway docs`).
import { z } from 'zod';
import { INPUT_SCANNERS } from '../sidecar/guard/input-scanners.ts';
import { OUTPUT_SCANNERS } from '../core/output/output-scanners.ts';
import { checkCost, costSchema } from './cost-schema.ts';
import { modelName } from './fields.ts';
import { BACKEND_KINDS } from '../core/routing/provider-headers.ts';

const DURATION = /^(\d+)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "250ms", "5s", "2m", "1h" → milliseconds. */
export function parseDuration(text: string): number {
  const m = DURATION.exec(text);
  if (!m) throw new Error(`invalid duration "${text}"`);
  return Number(m[1]) * UNIT_MS[m[2]];
}

const duration = (def: string, description: string) =>
  z
    .string()
    .regex(DURATION, 'expected a duration such as 500ms, 5s, 2m or 1h')
    .default(def)
    .describe(description)
    .transform(parseDuration);

const optionalDuration = (description: string) =>
  z
    .string()
    .regex(DURATION, 'expected a duration such as 500ms, 5s, 2m or 1h')
    .transform(parseDuration)
    .optional()
    .describe(description);

const SIZE = /^(\d+)([kKmM]?)$/;
const size = (def: string, description: string) =>
  z.string().regex(SIZE, 'expected a size such as 512k or 10m').default(def).describe(description);

// Runs after the url check even when that failed: an unparsable URL is reported there, not here.
function hasNoPath(text: string): boolean {
  try {
    const u = new URL(text);
    return u.pathname === '/' && !u.search;
  } catch {
    return true;
  }
}

const port = z.number().int().min(1).max(65535);

// Names end up in nginx upstream names, map values and metric labels: keep them to a closed alphabet.
const name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'use lowercase letters, digits, "-" and "_" (at most 40)');


const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

// The provider's credential, kept out of the config file: the gateway sends it in the header its kind
// expects (core/routing/provider-headers.ts).
const backendCredential = z
  .object({
    env: z.string().regex(ENV_NAME, 'an environment variable name such as OPENAI_API_KEY').optional().describe('Environment variable holding the key.'),
    file: z.string().min(1).optional().describe('File holding the key (relative to the config file); keep it readable by the gateway only.'),
  })
  .strict()
  .refine((c) => (c.env === undefined) !== (c.file === undefined), 'set either env or file')
  .optional()
  .describe("The provider's API key (never the client's key), sent as its kind expects: Authorization: Bearer (ollama, openai), x-api-key (anthropic), api-key (azure); unset = none. Required for anthropic and azure.");

export const backendSchema = z.object({
  name: name.describe('Unique name; shown in X-Gateway-Backend and metrics.'),
  url: z
    .url({ protocol: /^https?$/ })
    .describe('Base URL of the backend, e.g. http://10.0.0.5:11434 (no path).')
    .refine(hasNoPath, 'the URL must have no path or query'),
  kind: z
    .enum(BACKEND_KINDS)
    .default('ollama')
    .describe(
      'ollama: native + OpenAI-compatible API; openai: any OpenAI-compatible API (/v1/*); anthropic: the Messages API (/v1/messages); azure: Azure OpenAI deployments. Clients of another API reach it through translation.',
    ),
  apiVersion: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,40}$/, 'a version such as 2023-06-01 or 2024-10-21')
    .optional()
    .describe('anthropic: the anthropic-version header (default 2023-06-01); azure: the api-version query parameter (required).'),
  deployments: z
    .record(modelName, z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'an Azure deployment name'))
    .optional()
    .describe('azure: the model names clients use → the deployment that serves each (these are the models the backend serves).'),
  tls: z
    .object({
      ca: z
        .string()
        .optional()
        .describe('PEM file of CA certificates to trust for this https backend besides the system ones (relative to the config file); the certificate is always verified.'),
    })
    .optional()
    .describe('https backends: what their certificate is verified against (default: the system CAs).'),
  apiKey: backendCredential,
  weight: z.number().int().min(1).max(100).default(1).describe('Relative share of requests (strategy weighted / least_busy).'),
  maxConcurrency: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('Most requests in flight to this backend (nginx max_conns); unset = unlimited.'),
  models: z
    .array(modelName)
    .optional()
    .describe('Models served, for backends whose model list cannot be probed; normally learnt from /api/tags or /v1/models.'),
  firstByteTimeout: optionalDuration(
    'This backend\'s timeouts.firstByte, for one whose cold model loads are slow; a group of backends serving a model waits as long as its slowest member.',
  ),  slots: z
    .number()
    .int()
    .min(1)
    .default(4)
    .describe('scheduling: generations of one model this backend runs at once (Ollama: OLLAMA_NUM_PARALLEL); the gateway never sends more, the rest wait in its queue.'),
  modelSlots: z.record(modelName, z.number().int().min(1)).default({}).describe('scheduling: slots for particular models where they differ from `slots`.'),
  maxLoadedModels: z
    .number()
    .int()
    .min(1)
    .default(3)
    .describe('scheduling: models this backend holds in memory at once (Ollama: OLLAMA_MAX_LOADED_MODELS); loading one more evicts the least recently used idle one.'),
  pull: z
    .array(modelName)
    .default([])
    .describe('Model lifecycle (ollama only): models this backend must have on disk; the sidecar pulls each one that is missing (/api/pull), one at a time, retrying failures. Nothing is ever deleted.'),
  keepLoaded: z
    .array(modelName)
    .default([])
    .describe('Model lifecycle (ollama only): models kept in memory; whenever /api/ps lacks one, the sidecar loads it with keep_alive -1 (pulling it first when it is not on disk).'),
});

const legacyRedirectSchema = z.object({
  from: z.string().regex(/^\/[A-Za-z0-9._\/-]*$/, 'a path starting with /').describe('Old path (or path prefix).'),
  to: z.string().regex(/^\/[A-Za-z0-9._\/-]*$/, 'a path starting with /').describe('Canonical path (or prefix) it moved to.'),
  match: z.enum(['prefix', 'exact']).describe('prefix: from/x → to/x; exact: only this path.'),
});

export const DEFAULT_LEGACY_REDIRECTS: z.input<typeof legacyRedirectSchema>[] = [
  { from: '/api/v1/', to: '/v1/', match: 'prefix' },
  { from: '/v1/api/', to: '/api/', match: 'prefix' },
  { from: '/chat/completions', to: '/v1/chat/completions', match: 'exact' },
  { from: '/completions', to: '/v1/completions', match: 'exact' },
  { from: '/embeddings', to: '/v1/embeddings', match: 'exact' },
  { from: '/models', to: '/v1/models', match: 'exact' },
];

interface Declared {
  key: string;
  options: z.ZodType;
}
type ScannerOptions<T extends readonly Declared[]> = { [S in T[number] as S['key']]: S['options'] };

/** guard.input.<key> or guard.output.<key> for each scanner of a registry: its own options schema. */
function scannerOptions<T extends readonly Declared[]>(specs: T): ScannerOptions<T> {
  return Object.fromEntries(specs.map((s) => [s.key, s.options])) as ScannerOptions<T>;
}

// Checked inside nginx on streamed answers (js_body_filter): synchronous rules only. A match ends the
// stream with a well-formed error event in the client's language. Off by default: to catch a phrase
// split over chunks the filter holds back up to ~74 characters of text, which delays the first tokens.
// Whole (non-streamed) answers go to the sidecar (/scan/output) before the client sees them.
// `monitor` lets an operator tune a scanner on live traffic: findings are counted, nothing is stopped.
// guard.output.<key>: the options of each scanner of core/output/output-scanners.ts.
const outputGuardSchema = z.object(scannerOptions(OUTPUT_SCANNERS)).prefault({});

const inputGuardSchema = z
  .object({
    unscannable: z
      .enum(['refuse', 'allow'])
      .default('refuse')
      .describe('Text the model reads in a form no scanner can check (token-id prompts or inputs, Ollama context, messages that are not a list of objects): refuse (400) or allow unchecked.'),
    maxTextFields: z
      .number()
      .int()
      .min(1)
      .default(2048)
      .describe('Most text fields (message contents, parts, tool descriptions, …) one request may ask the guard to scan; more is refused (413).'),
    maxTextChars: z
      .number()
      .int()
      .min(1)
      .default(1048576)
      .describe('Most characters (UTF-16 code units) of text one request may ask the guard to scan, all fields together; more is refused (413).'),
    maxAdmissionsPerKey: z
      .number()
      .int()
      .min(1)
      .default(8)
      .describe('Admissions of one API key being scanned at once at most; more is a 429 with Retry-After, so one key cannot fill the scan workers.'),
    exposeDetails: z
      .boolean()
      .default(false)
      .describe("Tell the client every scanner's score (X-Guard-Scores) and why a scanner blocked (X-Guard-Reason, the error's reason). Off, these go only to the sidecar's log and metrics: they would show an attacker how close to a threshold a prompt is."),
    ...scannerOptions(INPUT_SCANNERS),
  })
  .prefault({});

// Mozilla's "intermediate" TLS 1.2 suites (guideline 5.7) without its DHE ones: nginx offers DHE only
// with ssl_dhparam, and the ECDHE suites cover every client of the last decade.
const INTERMEDIATE_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

// One string type with a plain message, rather than a union (which reports "Invalid input").
const matches = (schema: z.ZodType, message: string) => z.string().refine((text) => schema.safeParse(text).success, message);
const ipAddress = matches(z.union([z.ipv4(), z.ipv6()]), 'an IP address such as 10.0.0.53 or fd00::53');
const ipOrCidr = matches(z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()]), 'an IP address or CIDR such as 10.0.0.0/8');

// What the HTTPS edge shows clients and tolerates from them (rendered by nginx/render/edge.ts).
const edgeSchema = z
  .object({
    ciphers: z
      .string()
      .regex(/^[A-Za-z0-9!+@=._-]+(:[A-Za-z0-9!+@=._-]+)*$/, 'an OpenSSL cipher list such as ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256')
      .default(INTERMEDIATE_CIPHERS)
      .describe("TLS 1.2 cipher suites (OpenSSL names); TLS 1.3 uses OpenSSL's own suites, all AEAD. Default: Mozilla's intermediate list without DHE."),
    ocsp: z
      .object({
        stapling: z.boolean().default(true).describe('Staple verified OCSP responses when tls.cert is set; never with the generated self-signed pair.'),
        trustedCertificate: z
          .string()
          .optional()
          .describe("PEM file with the issuer's intermediate and root certificates, to verify OCSP responses (relative to the config file); unset = the chain in tls.cert."),
        resolvers: z
          .array(ipAddress)
          .default([])
          .describe("DNS servers nginx asks for the OCSP responder's address; empty = resolved once at start by the system resolver."),
      })
      .prefault({}),
    hsts: z
      .object({
        maxAge: z.number().int().min(0).default(63072000).describe('Strict-Transport-Security max-age in seconds (2 years); 0 tells browsers to forget the policy.'),
        includeSubDomains: z.boolean().default(true).describe('The policy covers subdomains of the gateway host too.'),
      })
      .prefault({}),
    headerBufferSize: size('1k', 'Buffer for the request line and headers of a request (client_header_buffer_size); longer ones move to the large buffers.'),
    largeHeaderBuffers: z
      .object({
        count: z.number().int().min(1).max(64).default(4).describe('Large header buffers per request: all headers together must fit in count × size (431 above).'),
        size: size('8k', 'Longest header line (431 above) and request line (414 above).'),
      })
      .prefault({}),
    timeouts: z
      .object({
        clientHeader: duration('10s', 'Longest time to complete the TLS handshake, then to send the request line and headers; the connection is closed without an answer (slow-header attacks).'),
        clientBody: duration('30s', 'Longest pause between two reads of the request body; then the connection is closed.'),
        send: duration('30s', 'Longest time a client may leave an answer unread before it is dropped (a stalled client holds a backend slot).'),
        keepalive: duration('65s', 'How long an idle client connection (HTTP/1.1 or HTTP/2) stays open; above the 60 s idle timeout of common load balancers in front.'),
      })
      .prefault({}),
    trustedProxies: z
      .array(ipOrCidr)
      .default([])
      .describe('Addresses or CIDRs of proxies in front of the gateway whose X-Forwarded-For names the client (nginx realip); empty = X-Forwarded-For from clients is ignored.'),
  })
  .prefault({})
  .describe('The HTTPS edge: TLS, security headers, header size limits, client timeouts and trusted proxies.');

// Globs over model names: the name alphabet plus * (any run) and ? (one character).
const modelGlob = z.string().regex(/^[A-Za-z0-9._:\/*?-]{1,200}$/, 'a model name or a glob such as llama3* or qwen2.5:?b');

export const apiKeySchema = z.object({
  id: name.describe('Unique id of the key: logged and used as metrics label instead of the secret.'),
  hash: z
    .string()
    .regex(/^sha256:[0-9a-f]{64}$/, 'expected "sha256:" and 64 lowercase hex digits, the SHA-256 of the secret (`gateway keys create` writes it)')
    .describe('"sha256:" + hex SHA-256 of the secret; the secret itself is never stored.'),
  label: z.string().max(200).optional().describe('Who or what the key is for (for people; not rendered).'),
  models: z
    .array(modelGlob)
    .min(1)
    .default(['*'])
    .describe('Models the key may use, by the name clients ask for (an alias by its own name): names or globs (* any characters, ? one), case-insensitive.'),
  requestsPerMinute: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('Requests per minute to model routes (nginx limit_req, metered evenly: 60 means one per second; with redis.url the sidecar meters it the same way for all replicas); unset = unlimited.'),
  burst: z.number().int().min(0).default(0).describe('Requests accepted at once above requestsPerMinute (nginx limit_req burst, nodelay).'),
  maxConcurrent: z.number().int().min(1).optional().describe('Requests to model routes in flight at once (nginx limit_conn; with redis.url the sidecar counts them across replicas); unset = unlimited.'),
  tokensPerMinute: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('Prompt + completion tokens per minute (sidecar, needs admission.enabled): admitted on the prompt\'s count, settled with the usage the backend reports.'),
  priority: z
    .number()
    .int()
    .min(0)
    .max(9)
    .optional()
    .describe('scheduling: queue priority of this key\'s requests, 0 (lowest) to 9; unset = scheduling.defaultPriority.'),
  maxPriority: z
    .number()
    .int()
    .min(0)
    .max(9)
    .optional()
    .describe('scheduling: highest priority a request of this key may ask for with X-Priority; unset = its priority (a request may only lower it).'),
  enabled: z.boolean().default(true).describe('false: requests with this key get 403 (the key stays in config and logs).'),
});

const authSchema = z
  .object({
    enabled: z
      .boolean()
      .default(true)
      .describe('Require an API key (Authorization: Bearer, or x-api-key) on every route but /, /healthz, /readyz and the legacy redirects. Turn off only on a trusted network.'),
    keys: z.array(apiKeySchema).default([]).describe('The API keys; `gateway keys create <id>` adds one.'),
  })
  .prefault({});

const ipRate = (what: string) =>
  z
    .object({
      requestsPerMinute: z.number().int().min(1).nullable().default(null).describe(`Requests per minute one client IP may send to ${what}; null = unlimited.`),
      burst: z.number().int().min(0).default(0).describe('Requests accepted at once above the rate (nginx limit_req burst, nodelay).'),
    })
    .prefault({});

const limitsSchema = z
  .object({
    perIp: z
      .object({
        generate: ipRate('chat and generation routes'),
        embeddings: ipRate('embedding routes'),
        metadata: ipRate('model listings, /api/show, /api/ps and /api/version'),
        maxConcurrent: z.number().int().min(1).nullable().default(null).describe('Requests one client IP may have in flight (nginx limit_conn); null = unlimited.'),
      })
      .prefault({})
      .describe('Limits per client address (after edge real-IP handling), whatever the key; off by default, as clients behind one NAT share an address.'),
    tokenWindow: duration('1m', 'Sliding window in which tokensPerMinute is counted; the budget scales with it (30s allows half).'),
  })
  .prefault({});

// Shared state for several replicas (README: "Several replicas"). Off by default: one host keeps its
// limits in memory.
const redisSchema = z
  .object({
    url: z
      .string()
      .regex(
        /^(redis|rediss):\/\/[^\s]+$|^sentinel:\/\/[^\s/]+\/[A-Za-z0-9._-]+$/,
        'expected redis://host:6379, rediss://host:6380 (TLS) or sentinel://host1:26379,host2:26379/mastername',
      )
      .nullable()
      .default(null)
      .describe('Redis holding the limits every replica shares (per-key tokens, requests per minute, requests in flight, spend against budgets, and the scheduler\'s backend slots and queue order); null = each gateway keeps them in memory, as a single host does. rediss:// is TLS; sentinel://s1:26379,s2:26379/name asks the Sentinels for the master.'),
    passwordEnv: z.string().regex(ENV_NAME, 'an environment variable name such as REDIS_PASSWORD').optional().describe('Environment variable holding the Redis password (a Kubernetes Secret, say); unset = the URL\'s, if any.'),
    ca: z.string().optional().describe('CA bundle (relative to the config file) the rediss:// server\'s certificate is checked against besides the system\'s; verification is always on.'),
    onUnavailable: z
      .enum(['local', 'refuse'])
      .default('local')
      .describe('While Redis cannot be reached: local = each replica enforces every limit on its own (N replicas admit up to N times a key\'s limits); refuse = requests of keys with limits get 503 with Retry-After.'),
    timeout: duration('250ms', 'Longest wait for Redis on one admission; past it the request is decided as onUnavailable says.'),
    leaseTtl: duration('30s', 'A request in flight holds its concurrency slot (a queued one its place in the shared queue) this long and the replica renews it; a replica that dies frees its slots and places after it.'),
    keyPrefix: z.string().regex(/^[A-Za-z0-9:_.-]{1,40}$/).default('llmgw:').describe('Prefix of every Redis key the gateway writes (several gateways may share one Redis).'),
  })
  .prefault({});

// The response cache (README: "Response cache"): whole answers of deterministic requests and
// embeddings, kept by nginx under the route, the hash of the body the backend reads and the key's scope.
const cacheSchema = z
  .object({
    enabled: z.boolean().default(false).describe('Cache whole answers of deterministic requests and embeddings in nginx (X-Cache-Status on the answers).'),
    ttl: duration('10m', 'How long an answer is served from the cache (and kept while unused).'),
    maxSize: z
      .string()
      .regex(/^\d+[kKmMgG]$/, 'expected a size such as 512m or 2g')
      .default('1g')
      .describe('Most disk the cache takes; nginx evicts the least recently used answers beyond it.'),
    models: z
      .array(modelGlob)
      .default([])
      .describe('Models (names or globs, as clients ask for them) whose whole answers are cached whatever their temperature; others only at temperature 0 or with the X-Gateway-Cache: on header.'),
    sharedScopes: z
      .record(name, z.array(z.string()).min(1))
      .default({})
      .describe('Scope name → API key ids that share cached answers; every other key only sees its own.'),
  })
  .prefault({});

type CacheDraft = { cache: z.output<typeof cacheSchema>; auth: { keys: { id: string }[] } };

// Shared scopes name configured keys, each in one scope at most.
function checkCache(cfg: CacheDraft, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  for (const [scope, ids] of Object.entries(cfg.cache.sharedScopes)) {
    ids.forEach((id, i) => {
      if (!cfg.auth.keys.some((k) => k.id === id)) ctx.addIssue({ code: 'custom', path: ['cache', 'sharedScopes', scope, i], message: `no API key has the id "${id}"` });
      if (seen.has(id)) ctx.addIssue({ code: 'custom', path: ['cache', 'sharedScopes', scope, i], message: `"${id}" is in another scope already` });
      seen.add(id);
    });
  }
}

type ConfigDraft = { auth: z.output<typeof authSchema>; admission: { enabled: boolean } };

// Ids and hashes end up as nginx map keys and values: both must be unique.
function checkKeys(cfg: ConfigDraft, ctx: z.RefinementCtx): void {
  const ids = new Set<string>();
  const hashes = new Set<string>();
  cfg.auth.keys.forEach((k, i) => {
    if (ids.has(k.id)) ctx.addIssue({ code: 'custom', path: ['auth', 'keys', i, 'id'], message: `duplicate key id "${k.id}"` });
    if (hashes.has(k.hash)) ctx.addIssue({ code: 'custom', path: ['auth', 'keys', i, 'hash'], message: 'the same hash as another key (one secret, two keys)' });
    ids.add(k.id);
    hashes.add(k.hash);
    if (k.tokensPerMinute !== undefined && !cfg.admission.enabled) {
      ctx.addIssue({ code: 'custom', path: ['auth', 'keys', i, 'tokensPerMinute'], message: 'needs admission.enabled: the sidecar counts tokens on /_admit' });
    }
  });
}

type LifecycleDraft = { backends: z.output<typeof backendSchema>[]; models: { replicas: Record<string, number> } };

// Only Ollama pulls and loads models; a model kept loaded must fit beside the others.
type ProviderDraft = { backends: z.output<typeof backendSchema>[] };

// Hosted providers need their key; Azure names its deployments and its API version.
function checkProviders(cfg: ProviderDraft, ctx: z.RefinementCtx): void {
  cfg.backends.forEach((b, i) => {
    const at = (key: string, message: string) => ctx.addIssue({ code: 'custom', path: ['backends', i, key], message });
    if ((b.kind === 'anthropic' || b.kind === 'azure') && !b.apiKey) at('apiKey', `required for kind ${b.kind}`);
    if (b.kind === 'azure' && b.apiVersion === undefined) at('apiVersion', 'required for kind azure (the api-version query parameter)');
    if (b.kind === 'azure' && Object.keys(b.deployments ?? {}).length === 0) at('deployments', 'kind azure serves the models named here: map at least one model to its deployment');
    if (b.kind !== 'azure' && b.deployments !== undefined) at('deployments', 'only azure backends have deployments');
    if (b.kind !== 'azure' && b.kind !== 'anthropic' && b.apiVersion !== undefined) at('apiVersion', 'only anthropic and azure backends take an API version');
  });
}

function checkLifecycle(cfg: LifecycleDraft, ctx: z.RefinementCtx): void {
  cfg.backends.forEach((b, i) => {
    for (const key of ['pull', 'keepLoaded'] as const) {
      if (b.kind !== 'ollama' && b[key].length > 0) {
        ctx.addIssue({ code: 'custom', path: ['backends', i, key], message: 'only ollama backends can pull and load models' });
      }
    }
    if (b.keepLoaded.length > b.maxLoadedModels) {
      ctx.addIssue({ code: 'custom', path: ['backends', i, 'keepLoaded'], message: `${b.keepLoaded.length} models kept loaded, more than maxLoadedModels (${b.maxLoadedModels})` });
    }
  });
  const pullable = cfg.backends.filter((b) => b.kind === 'ollama').length;
  for (const [model, n] of Object.entries(cfg.models.replicas)) {
    if (n > pullable) ctx.addIssue({ code: 'custom', path: ['models', 'replicas', model], message: `${n} replicas, but only ${pullable} ollama backends` });
  }
}

export const configSchema = z
  .object({
    listen: z
      .object({
        address: z.string().default('0.0.0.0').describe('Address nginx listens on.'),
        https: port.default(443).describe('HTTPS port.'),
        http: port.nullable().default(80).describe('Plain HTTP port that redirects to HTTPS (308); null disables it.'),
      })
      .prefault({}),
    tls: z
      .object({
        cert: z.string().optional().describe('PEM certificate path; unset = a self-signed pair is generated on first start.'),
        key: z.string().optional().describe('PEM private key path.'),
      })
      .prefault({})
      .refine((t) => !t.cert === !t.key, 'set both cert and key, or neither'),
    edge: edgeSchema,
    runtimeDir: z
      .string()
      .default('nginx/generated')
      .describe('Where the rendered nginx conf, generated certificate, logs and pid live (relative to the config file).'),
    nginx: z
      .object({
        binary: z.string().default('nginx').describe('nginx executable.'),
        jsModule: z
          .string()
          .optional()
          .describe('Path of ngx_http_js_module.so; unset = found in the usual places (Debian, official image), or built in.'),
        workerProcesses: z
          .union([z.literal('auto'), z.number().int().min(1)])
          .default('auto')
          .describe('nginx worker processes; auto = one per core.'),
        workerConnections: z.number().int().min(64).default(4096).describe('Connections per worker, clients and backends together.'),
        workerShutdownTimeout: duration('5m', 'How long old workers may finish in-flight streams after a reload.'),
        reloadDrain: duration(
          '500ms',
          'Before each reload, for this long every HTTP/1.1 answer says Connection: close, so keep-alive clients leave the connections the reload will close instead of racing it with a request (0ms: no drain).',
        ),
        reloadStreamWait: duration(
          '10s',
          'With a drain, a reload first waits, at most this long, for the requests already running (streams announced keep-alive when they began) to end.',
        ),
        maxBodySize: size('8m', 'Largest request body accepted (413 above); njs reads bodies up to this size in memory.'),
      })
      .prefault({}),
    sidecar: z
      .object({
        port: port.default(9901).describe('Loopback port of the sidecar.'),
        failMode: z
          .enum(['closed', 'open'])
          .default('closed')
          .describe('When the sidecar cannot be reached on /_admit: closed = 503, open = let the request through.'),
        admitTimeout: duration('2s', 'Longest wait for the sidecar verdict.'),
      })
      .prefault({}),
    observability: z
      .object({
        logPort: port.default(9514).describe('Loopback UDP port where the sidecar receives nginx\'s access log (syslog, one JSON line per finished request).'),
        metricsListen: z
          .string()
          .regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port, e.g. 0.0.0.0:9464')
          .nullable()
          .default(null)
          .describe('Also serve /metrics (only) on this address, e.g. for a Prometheus on another host; null = /metrics only on the sidecar\'s loopback port.'),
        metricsToken: z
          .string()
          .min(16, 'use at least 16 characters')
          .optional()
          .describe('Bearer token /metrics requires when set; required when metricsListen is not a loopback address.'),
        metricsTokenFile: z
          .string()
          .optional()
          .describe('File holding metricsToken instead (a Docker secret, say; relative to the config file), read at start and on reload.'),
        logLevel: z
          .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
          .default('info')
          .describe('Level of the sidecar\'s JSON logs (pino): guard blocks, reloads and probe changes are info, each with the request id where there is one.'),
        replica: name.optional().describe('This gateway\'s name in the replica label of every metric; unset = the host name (a pod\'s name on Kubernetes).'),
      })
      .prefault({}),
    admission: z
      .object({
        enabled: z
          .boolean()
          .default(true)
          .describe('Ask the sidecar (/_admit) about every generation and embedding request before it is proxied.'),
      })
      .prefault({}),
    guard: z
      .object({
        input: inputGuardSchema,
        output: outputGuardSchema,
        workers: z
          .number()
          .int()
          .min(0)
          .max(16)
          .default(2)
          .describe("Worker threads, at most, that scan prompts and whole answers over 8 KB, so one heavy request cannot delay the others on the sidecar's event loop; each starts when such a text finds the running ones busy. 0 = scan everything on the event loop."),
        maxQueued: z.number().int().min(1).default(256).describe('Scans waiting for a worker at most; beyond, a request gets 503 with Retry-After.'),
        workerIdle: duration('5m', 'A scan worker stops after this long without a job, giving back its copy of the guards (tens of MB); the next text over 8 KB starts one again.'),
      })
      .prefault({})
      .describe('input: scanners run by the sidecar on /_admit (needs admission.enabled); output: checks on answers (streams inside nginx, whole answers by the sidecar).'),
    auth: authSchema,
    limits: limitsSchema,
    redis: redisSchema,
    backends: z.array(backendSchema).min(1).describe('The fleet.'),
    strategy: z
      .enum(['round_robin', 'least_busy', 'weighted'])
      .default('least_busy')
      .describe('round_robin: equal turns; weighted: turns by weight; least_busy: fewest requests in flight (nginx least_conn).'),
    health: z
      .object({
        interval: duration('5s', 'Time between two probes of a backend.'),
        hostedInterval: duration('60s', 'Time between two probes of an https (hosted) backend: a provider is probed at a low rate.'),
        timeout: duration('2s', 'A probe slower than this fails.'),
        unhealthyAfter: z.number().int().min(1).default(3).describe('Consecutive failed probes before a backend is taken out.'),
        healthyAfter: z.number().int().min(1).default(2).describe('Consecutive good probes before it is put back.'),
        maxFails: z.number().int().min(0).default(1).describe('Passive health: failed attempts (nginx max_fails) before a server is skipped for failTimeout.'),
        failTimeout: duration('10s', 'Passive health: how long a failing server is skipped (nginx fail_timeout).'),
      })
      .prefault({}),
    timeouts: z
      .object({
        connect: duration('3s', 'Connecting to a backend.'),
        firstByte: duration(
          '30s',
          'Streamed answers: longest wait for the first byte (model load included), then between two reads; past it the request moves to another server. nginx has one read timer for both. Raise it per backend (backends[].firstByteTimeout) where loads are slow.',
        ),
        wholeAnswer: duration('5m', 'Answers that are not streamed: the backend sends nothing before the whole answer, so this bounds the whole generation.'),
        send: duration('60s', 'Longest pause while sending the request to a backend.'),
      })
      .prefault({}),
    retries: z
      .object({
        tries: z.number().int().min(1).max(10).default(3).describe('Attempts per request, the first included (README: "When a backend fails" has the rules).'),
        window: duration('2m', 'No new attempt once this much time has passed since the first; keep it above timeouts.firstByte, or a timed-out stream is not retried.'),
      })
      .prefault({}),
    models: z
      .object({
        aliases: z.record(modelName, modelName).default({}).describe('Requested name → served model, e.g. gpt-4o-mini: llama3.2:3b.'),
        fallbacks: z
          .record(modelName, z.array(modelName).min(1))
          .default({})
          .describe('Model → models to use, in order, while it has no healthy backend.'),
        replicas: z
          .record(modelName, z.number().int().min(1))
          .default({})
          .describe('Model lifecycle: model → the number of healthy ollama backends that should have it on disk; where fewer do, the sidecar pulls it on those with the fewest bytes of models, then the fewest models.'),
      })
      .prefault({}),
    scheduling: z
      .object({
        enabled: z
          .boolean()
          .default(false)
          .describe('The gateway picks the backend of every generation and embedding: where the model is loaded and a slot is free, else where loading it costs least, else the request waits in a priority queue (README: "Scheduling").'),
        defaultPriority: z.number().int().min(0).max(9).default(5).describe('Priority of requests without a key, or whose key sets none.'),
        spreadAfter: duration('2s', 'A request whose model is loaded only on full servers waits this long for a slot there before the model is loaded on another server.'),
        queue: z
          .object({
            maxLength: z.number().int().min(0).default(1000).describe('Requests waiting at most; beyond, 503 queue_full with Retry-After.'),
            maxWait: duration('30s', 'Longest wait for a slot; past it, 503 queue_timeout with Retry-After.'),
            agingStep: duration('10s', 'Each such wait raises a request one priority level, so low priorities are not starved; 0ms = no aging.'),
          })
          .prefault({}),
        leaseTimeout: duration('30m', 'A slot whose request end nginx never reported (a lost log line) frees after this long; keep it above the longest generation.'),
      })
      .prefault({}),
    lifecycle: z
      .object({
        retryAfter: duration('30s', 'A failed pull or keepLoaded load is tried again after this long, doubled after each further failure.'),
        retryMax: duration('30m', 'The longest wait between two attempts of a failing pull or load.'),
        stallTimeout: duration('5m', 'A pull whose backend sends no progress for this long is abandoned (and retried like a failure).'),
      })
      .prefault({})
      .describe('Model lifecycle: how the sidecar pulls the models of backends[].pull, backends[].keepLoaded and models.replicas (README: "Model lifecycle").'),
    cost: costSchema,
    cache: cacheSchema,
    legacyRedirects: z
      .array(legacyRedirectSchema)
      .default(DEFAULT_LEGACY_REDIRECTS)
      .describe('Routes of older gateways answered with 308 to the canonical path (method and body preserved).'),
  })
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.backends.forEach((b, i) => {
      if (seen.has(b.name)) ctx.addIssue({ code: 'custom', path: ['backends', i, 'name'], message: `duplicate backend name "${b.name}"` });
      seen.add(b.name);
    });
    if (cfg.listen.http !== null && cfg.listen.http === cfg.listen.https) {
      ctx.addIssue({ code: 'custom', path: ['listen', 'http'], message: 'must differ from listen.https' });
    }
    for (const scanner of INPUT_SCANNERS) {
      if (!scanner.redacts && cfg.guard.input[scanner.key].action === 'redact') {
        ctx.addIssue({ code: 'custom', path: ['guard', 'input', scanner.key, 'action'], message: 'this scanner cannot redact: use block or monitor' });
      }
    }
    if (cfg.redis.url && !cfg.admission.enabled) {
      ctx.addIssue({ code: 'custom', path: ['redis', 'url'], message: 'needs admission.enabled: shared limits are checked on /_admit' });
    }
    const listen = cfg.observability.metricsListen;
    if (listen && !/^(127\.\d+\.\d+\.\d+|localhost|\[::1\]):/.test(listen) && !cfg.observability.metricsToken && !cfg.observability.metricsTokenFile) {
      ctx.addIssue({ code: 'custom', path: ['observability', 'metricsToken'], message: `required when /metrics listens on ${listen} (not loopback)` });
    }
    checkKeys(cfg, ctx);
    checkLifecycle(cfg, ctx);
    checkProviders(cfg, ctx);
    checkCost(cfg, ctx);
    checkCache(cfg, ctx);
    for (const alias of Object.keys(cfg.models.aliases)) {
      if (cfg.models.aliases[alias] === alias) ctx.addIssue({ code: 'custom', path: ['models', 'aliases', alias], message: 'alias points to itself' });
    }
  });

export type GatewayConfigInput = z.input<typeof configSchema>;
export type GatewayConfig = z.output<typeof configSchema>;
export type BackendConfig = GatewayConfig['backends'][number];
export type LegacyRedirect = GatewayConfig['legacyRedirects'][number];
export type Strategy = GatewayConfig['strategy'];
export type InputGuardConfig = GatewayConfig['guard']['input'];
export type OutputGuardConfig = GatewayConfig['guard']['output'];
export type GuardAction = InputGuardConfig['promptInjection']['action'];
export type ApiKeyConfig = GatewayConfig['auth']['keys'][number];
