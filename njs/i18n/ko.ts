// Korean messages: exactly the keys and {placeholders} of en.ts (test/unit/i18n-catalogues.test.ts checks it).
// A function, not a module-level literal: njs runs module scope on every request.
import type { Catalogue } from './messages.ts';

export function ko(): Catalogue {
  return {
    body_required: '요청에 JSON 본문이 필요합니다.',
    invalid_json: '요청 본문이 올바른 JSON이 아닙니다.',
    body_not_object: '요청 본문은 JSON 객체여야 합니다.',
    model_required: '요청에 사용할 모델("model" 필드)이 지정되지 않았습니다.',
    model_name_too_long: '모델 이름이 256자를 초과합니다.',
    model_not_found: '이 게이트웨이에서는 "{model}" 모델을 사용할 수 없습니다. 사용 가능한 모델: {models}.',
    no_healthy_backend: '현재 "{model}"을(를) 처리할 수 있는 정상 백엔드가 없습니다. 몇 초 후에 다시 시도해 주세요.',
    method_not_allowed: '{path}에는 {method} 메서드가 허용되지 않습니다.',
    route_not_found: '이 게이트웨이에는 {path} 경로가 없습니다.',
    body_too_large: '요청 본문이 이 게이트웨이에서 허용하는 크기({limit})를 초과합니다.',
    headers_too_large: '요청 헤더가 너무 큽니다.',
    uri_too_long: '요청 URI가 너무 깁니다.',
    request_timeout: '요청을 제시간에 받지 못했습니다.',
    bad_request: '요청 형식이 잘못되었습니다.',
    key_sent_in_clear: 'API 키가 암호화되지 않은 HTTP로 전송되어 거부되었습니다. HTTPS를 사용하고 키를 교체하세요(암호화 없이 전송되었습니다).',
    rate_limited: '요청이 너무 많습니다. 잠시 후 다시 시도해 주세요.',
    missing_api_key: '이 요청에는 API 키가 필요합니다. {header} 형식으로 보내 주세요.',
    invalid_api_key: 'API 키가 유효하지 않습니다.',
    api_key_disabled: '이 API 키는 비활성화되었습니다.',
    model_not_allowed: '이 API 키로는 모델 "{model}"을(를) 사용할 수 없습니다.',
    token_quota_exceeded: '이 API 키는 분당 {limit} 토큰 한도를 모두 사용했습니다. {seconds}초 후에 다시 시도해 주세요.',
    backend_failed: '백엔드가 응답하지 못했습니다. 다시 시도해 주세요.',
    backend_timeout: '백엔드가 제시간에 응답하지 않았습니다.',
    service_unavailable: '현재 서비스를 사용할 수 없습니다. 몇 초 후에 다시 시도해 주세요.',
    sidecar_unavailable: '현재 게이트웨이가 이 요청을 검사할 수 없습니다(요청 승인 서비스가 중단됨). 몇 초 후에 다시 시도해 주세요.',
    internal_error: '게이트웨이에서 내부 오류가 발생했습니다.',
    guard_prompt_injection: '이 요청은 차단되었습니다. 모델의 지침을 무력화하려는 시도로 보입니다(검사: {scanner}).',
    guard_secrets: '이 요청은 차단되었습니다. 비밀 키나 자격 증명으로 보이는 내용이 포함되어 있습니다(검사: {scanner}). 해당 내용을 삭제한 후 다시 시도해 주세요.',
    guard_toxicity: '이 요청은 차단되었습니다. 불쾌하거나 모욕적인 표현이 포함되어 있습니다(검사: {scanner}).',
    guard_banned: '이 요청은 차단되었습니다. 여기에서 허용되지 않는 문구가 포함되어 있습니다(검사: {scanner}).',
    guard_token_limit: '이 요청은 차단되었습니다. 프롬프트가 {tokens}토큰으로, 이 모델에 허용된 {limit}토큰을 초과합니다(검사: {scanner}).',
    guard_invisible_text: '이 요청은 차단되었습니다. 보이지 않는 유니코드 문자가 포함되어 있습니다(검사: {scanner}).',
    guard_output_blocked: '{scanner} 검사로 인해 모델의 답변이 보류되었습니다.',
    guard_output_stream_stopped: '{scanner} 검사로 인해 이 답변의 나머지 부분이 보류되었습니다.',
  };
}
