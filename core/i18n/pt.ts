// Portuguese messages: exactly the keys and {placeholders} of en.ts (test/unit/i18n-catalogues.test.ts checks it).
// Wording chosen to read naturally in both Brazil and Portugal ("solicitação", "tente novamente").
// A function, not a module-level literal: njs runs module scope on every request.
import type { Catalogue } from './en.ts';

export function pt(): Catalogue {
  return {
    body_required: 'A solicitação precisa de um corpo JSON.',
    invalid_json: 'O corpo da solicitação não é um JSON válido.',
    body_not_object: 'O corpo da solicitação deve ser um objeto JSON.',
    json_key_spelling: 'O corpo da requisição tem a chave "{key}", que um backend lê como outra grafia de um campo: escreva cada chave uma única vez, em minúsculas.',
    json_too_deep: 'O corpo da requisição aninha JSON em mais de {limit} níveis.',
    guard_unscannable: 'Esta requisição tem conteúdo que o gateway não consegue verificar ({field}): envie-o como texto.',
    guard_text_too_large: 'Esta requisição tem texto demais para verificar: {fields} campos de texto e {chars} caracteres (no máximo {maxFields} e {maxChars}).',
    model_required: 'A solicitação não indica qual modelo usar (campo "model").',
    model_name_too_long: 'O nome do modelo tem mais de 256 caracteres.',
    model_not_found: 'O modelo "{model}" não está disponível neste gateway. Modelos disponíveis: {models}.',
    no_healthy_backend: 'No momento, nenhum backend íntegro pode atender "{model}". Tente novamente em alguns segundos.',
    method_not_allowed: 'O método {method} não é permitido em {path}.',
    route_not_found: 'A rota {path} não existe neste gateway.',
    body_too_large: 'O corpo da solicitação excede o tamanho aceito por este gateway ({limit}).',
    headers_too_large: 'Os cabeçalhos da solicitação são grandes demais.',
    uri_too_long: 'O URI da solicitação é longo demais.',
    request_timeout: 'A solicitação não foi recebida a tempo.',
    bad_request: 'A solicitação está malformada.',
    key_sent_in_clear: 'Uma chave de API foi enviada por HTTP sem criptografia e foi recusada: use HTTPS e troque a chave (ela trafegou sem criptografia).',
    rate_limited: 'Muitas solicitações. Tente novamente mais tarde.',
    missing_api_key: 'Esta solicitação precisa de uma chave de API, enviada como {header}.',
    invalid_api_key: 'A chave de API não é válida.',
    api_key_disabled: 'Esta chave de API está desativada.',
    model_not_allowed: 'Esta chave de API não pode usar o modelo "{model}".',
    token_quota_exceeded: 'Esta chave de API esgotou seus {limit} tokens por minuto. Tente novamente em {seconds} s.',
    backend_failed: 'O backend não conseguiu responder. Tente novamente.',
    backend_timeout: 'O backend não respondeu a tempo.',
    backend_busy: 'Todos os backends que servem "{model}" estão ocupados. Tente novamente em alguns segundos.',
    service_unavailable: 'O serviço está indisponível no momento. Tente novamente em alguns segundos.',
    sidecar_unavailable: 'O gateway não consegue verificar esta solicitação no momento (seu serviço de admissão está indisponível). Tente novamente em alguns segundos.',
    internal_error: 'Ocorreu um erro interno no gateway.',
    guard_prompt_injection: 'Esta solicitação foi bloqueada: parece uma tentativa de substituir as instruções do modelo (verificação: {scanner}).',
    guard_secrets: 'Esta solicitação foi bloqueada: ela contém o que parece ser um segredo ou uma credencial (verificação: {scanner}). Remova-o e tente novamente.',
    guard_toxicity: 'Esta solicitação foi bloqueada: ela contém linguagem ofensiva ou abusiva (verificação: {scanner}).',
    guard_banned: 'Esta solicitação foi bloqueada: ela contém uma frase que não é permitida aqui (verificação: {scanner}).',
    guard_token_limit: 'Esta solicitação foi bloqueada: o prompt tem {tokens} tokens, mais do que os {limit} permitidos para este modelo (verificação: {scanner}).',
    guard_invisible_text: 'Esta solicitação foi bloqueada: ela contém caracteres Unicode invisíveis (verificação: {scanner}).',
    guard_output_blocked: 'A resposta do modelo foi retida pela verificação {scanner}.',
    guard_output_stream_stopped: 'O restante desta resposta foi retido pela verificação {scanner}.',
    backend_stream_cut: 'O backend parou antes de terminar esta resposta: o que chegou até agora está incompleto. Tente novamente.',
  };
}
