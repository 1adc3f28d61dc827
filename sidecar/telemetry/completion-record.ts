// One finished request as nginx logged it (access_log JSON over syslog), parsed by the sidecar.
// Metrics and usage accounting (token quotas) are built from these records.

export interface CompletionRecord {
  /** nginx's own id of the request: the gateway's internal key. */
  requestId: string;
  /** The id the client sees in X-Request-Id (its own when well formed), for people and tests to find a request. */
  clientRequestId: string;
  /** The request path (a model route such as /v1/chat/completions, or any other path). */
  uri: string;
  /** The model the client asked for, as sent (raw: map to a closed set before using as a label). */
  model: string;
  /** Configured name of the backend that answered last ("" when none did). */
  backend: string;
  status: number;
  /** Upstream attempts (1 + retries); 0 when the request never reached a backend. */
  attempts: number;
  /** Whole request, seconds. */
  requestTime: number;
  /** Time until the answering backend's response header, seconds; undefined without a backend. */
  ttfb?: number;
  bytesSent: number;
  /** API key id ("" when keys are off or the request had none). */
  keyId: string;
  /** Language of the prompt (BCP 47 primary subtag) when detected. */
  lang: string;
  /** Token usage reported by the backend (OpenAI `usage`, Ollama prompt_eval_count/eval_count). */
  promptTokens?: number;
  completionTokens?: number;
  /** Prompt tokens the provider served from its prompt cache (OpenAI usage.prompt_tokens_details.cached_tokens), part of promptTokens. */
  cachedTokens?: number;
  /** How long the answering attempt held its backend ($upstream_response_time's last figure), seconds. */
  backendSeconds?: number;
  /** Events of a streamed answer seen by the gateway (SSE events, NDJSON lines), whether or not it ended: what it generated when no usage came. */
  streamEvents?: number;
  /** The answer reached its terminal event ([DONE], done:true, a whole JSON body). */
  terminal: boolean;
  /** nginx's $upstream_cache_status for requests the response cache may answer: HIT (no backend was asked), MISS, EXPIRED…; "" otherwise. */
  cacheStatus: string;
}
