// English messages. Every language file has exactly these keys (a unit test checks it).
// A function, not a module-level literal: njs runs module scope on every request.
export function en() {
  return {
    body_required: 'The request needs a JSON body.',
    invalid_json: 'The request body is not valid JSON.',
    body_not_object: 'The request body must be a JSON object.',
    json_key_spelling: 'The request body has the key "{key}", which a backend reads as another spelling of a field: write each key once, in lower case.',
    json_too_deep: 'The request body nests JSON more than {limit} levels deep.',
    guard_unscannable: 'This request has content the gateway cannot check ({field}): send it as text.',
    guard_text_too_large: 'This request has too much text to check: {fields} text fields and {chars} characters (at most {maxFields} and {maxChars}).',
    model_required: 'The request does not say which "model" to use.',
    model_name_too_long: 'The model name is longer than 256 characters.',
    model_not_found: 'The model "{model}" is not available on this gateway. Available models: {models}.',
    no_healthy_backend: 'No healthy backend can serve "{model}" right now. Please retry in a few seconds.',
    method_not_allowed: 'The method {method} is not allowed on {path}.',
    route_not_found: 'There is no route {path} on this gateway.',
    body_too_large: 'The request body is larger than this gateway accepts ({limit}).',
    headers_too_large: 'The request headers are too large.',
    uri_too_long: 'The request URI is too long.',
    request_timeout: 'The request was not received in time.',
    bad_request: 'The request is malformed.',
    key_sent_in_clear: 'An API key was sent over plain HTTP and is refused: use HTTPS, and rotate the key (it travelled unencrypted).',
    rate_limited: 'Too many requests. Please retry later.',
    missing_api_key: 'This request needs an API key, sent as {header}.',
    invalid_api_key: 'The API key is not valid.',
    api_key_disabled: 'This API key is disabled.',
    model_not_allowed: 'This API key may not use the model "{model}".',
    token_quota_exceeded: 'This API key has used its {limit} tokens per minute. Please retry in {seconds} s.',
    budget_exceeded: 'This API key has spent its budget of {budget} USD. It resets at {reset} (UTC).',
    backend_failed: 'The backend failed to answer. Please retry.',
    backend_timeout: 'The backend did not answer in time.',
    backend_busy: 'Every backend serving "{model}" is busy. Please retry in a few seconds.',
    queue_full: 'Too many requests are waiting for "{model}". Please retry in a few seconds.',
    queue_timeout: 'No backend could take this request for "{model}" within {seconds} s. Please retry in a few seconds.',
    service_unavailable: 'The service is unavailable right now. Please retry in a few seconds.',
    shared_state_unavailable: "This API key's limits cannot be checked right now. Please retry in a few seconds.",
    sidecar_unavailable: 'The gateway cannot check this request right now (its admission service is down). Please retry in a few seconds.',
    internal_error: 'The gateway hit an internal error.',
    guard_prompt_injection: 'This request was blocked: it looks like an attempt to override the model\'s instructions (check: {scanner}).',
    guard_secrets: 'This request was blocked: it contains what looks like a secret or credential (check: {scanner}). Remove it and try again.',
    guard_toxicity: 'This request was blocked: it contains offensive or abusive language (check: {scanner}).',
    guard_banned: 'This request was blocked: it contains a phrase that is not allowed here (check: {scanner}).',
    guard_token_limit: 'This request was blocked: the prompt has {tokens} tokens, more than the {limit} allowed for this model (check: {scanner}).',
    guard_invisible_text: 'This request was blocked: it contains invisible Unicode characters (check: {scanner}).',
    guard_output_blocked: 'The model\'s answer was withheld by the {scanner} check.',
    guard_output_stream_stopped: 'The rest of this answer was withheld by the {scanner} check.',
    backend_stream_cut: 'The backend stopped before finishing this answer: what came so far is incomplete. Please retry.',
  };
}

export type MessageKey = keyof ReturnType<typeof en>;
/** Every other language's messages: exactly English's keys. */
export type Catalogue = Record<MessageKey, string>;
