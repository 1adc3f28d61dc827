// Simplified Chinese messages: exactly the keys and {placeholders} of en.ts (test/unit/i18n-catalogues.test.ts checks it).
// A function, not a module-level literal: njs runs module scope on every request.
import type { Catalogue } from './messages.ts';

export function zh(): Catalogue {
  return {
    body_required: '请求必须包含 JSON 请求体。',
    invalid_json: '请求体不是有效的 JSON。',
    body_not_object: '请求体必须是一个 JSON 对象。',
    model_required: '请求未通过“model”字段指定要使用的模型。',
    model_name_too_long: '模型名称超过 256 个字符。',
    model_not_found: '模型“{model}”在此网关上不可用。可用模型：{models}。',
    no_healthy_backend: '当前没有健康的后端可以处理“{model}”。请几秒钟后重试。',
    method_not_allowed: '{path} 不允许使用 {method} 方法。',
    route_not_found: '此网关上不存在路由 {path}。',
    body_too_large: '请求体超出了此网关允许的大小（{limit}）。',
    headers_too_large: '请求头过大。',
    uri_too_long: '请求 URI 过长。',
    request_timeout: '未能在规定时间内收到请求。',
    bad_request: '请求格式错误。',
    key_sent_in_clear: 'API 密钥通过未加密的 HTTP 发送，已被拒绝：请使用 HTTPS，并更换该密钥（它已以明文传输）。',
    rate_limited: '请求过多，请稍后重试。',
    missing_api_key: '此请求需要 API 密钥，请以 {header} 的形式发送。',
    invalid_api_key: 'API 密钥无效。',
    api_key_disabled: '此 API 密钥已停用。',
    model_not_allowed: '此 API 密钥无权使用模型“{model}”。',
    token_quota_exceeded: '此 API 密钥已用完每分钟 {limit} 个令牌的额度，请在 {seconds} 秒后重试。',
    backend_failed: '后端未能作出响应，请重试。',
    backend_timeout: '后端未在规定时间内响应。',
    service_unavailable: '服务当前不可用，请几秒钟后重试。',
    sidecar_unavailable: '网关当前无法检查此请求（其准入服务已停止运行）。请几秒钟后重试。',
    internal_error: '网关发生内部错误。',
    guard_prompt_injection: '此请求已被拦截：它似乎试图覆盖模型的指令（检查项：{scanner}）。',
    guard_secrets: '此请求已被拦截：其中包含疑似密钥或凭据的内容（检查项：{scanner}）。请删除后重试。',
    guard_toxicity: '此请求已被拦截：其中包含冒犯性或辱骂性的语言（检查项：{scanner}）。',
    guard_banned: '此请求已被拦截：其中包含此处不允许使用的词句（检查项：{scanner}）。',
    guard_token_limit: '此请求已被拦截：提示词有 {tokens} 个 token，超过了此模型允许的 {limit} 个（检查项：{scanner}）。',
    guard_invisible_text: '此请求已被拦截：其中包含不可见的 Unicode 字符（检查项：{scanner}）。',
    guard_output_blocked: '模型的回答已被 {scanner} 检查拦截。',
    guard_output_stream_stopped: '此回答的其余部分已被 {scanner} 检查拦截。',
  };
}
