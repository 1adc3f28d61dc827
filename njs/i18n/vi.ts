// Vietnamese messages: exactly the keys and {placeholders} of en.ts (test/unit/i18n-catalogues.test.ts checks it).
// A function, not a module-level literal: njs runs module scope on every request.
import type { Catalogue } from './messages.ts';

export function vi(): Catalogue {
  return {
    body_required: 'Yêu cầu cần có phần thân JSON.',
    invalid_json: 'Phần thân của yêu cầu không phải là JSON hợp lệ.',
    body_not_object: 'Phần thân của yêu cầu phải là một đối tượng JSON.',
    model_required: 'Yêu cầu không cho biết cần dùng mô hình nào (trường "model").',
    model_name_too_long: 'Tên mô hình dài hơn 256 ký tự.',
    model_not_found: 'Mô hình "{model}" không khả dụng trên gateway này. Các mô hình khả dụng: {models}.',
    no_healthy_backend: 'Hiện không có backend nào hoạt động bình thường để phục vụ "{model}". Vui lòng thử lại sau vài giây.',
    method_not_allowed: 'Phương thức {method} không được phép trên {path}.',
    route_not_found: 'Không có tuyến {path} trên gateway này.',
    body_too_large: 'Phần thân của yêu cầu vượt quá kích thước mà gateway này chấp nhận ({limit}).',
    headers_too_large: 'Phần header của yêu cầu quá lớn.',
    uri_too_long: 'URI của yêu cầu quá dài.',
    request_timeout: 'Không nhận được yêu cầu kịp thời.',
    bad_request: 'Yêu cầu không đúng định dạng.',
    key_sent_in_clear: 'Khóa API đã được gửi qua HTTP không mã hóa nên bị từ chối: hãy dùng HTTPS và thay khóa mới (khóa đã được truyền đi không mã hóa).',
    rate_limited: 'Có quá nhiều yêu cầu. Vui lòng thử lại sau.',
    missing_api_key: 'Yêu cầu này cần khóa API, gửi dưới dạng {header}.',
    invalid_api_key: 'Khóa API không hợp lệ.',
    api_key_disabled: 'Khóa API này đã bị vô hiệu hóa.',
    model_not_allowed: 'Khóa API này không được phép dùng mô hình "{model}".',
    token_quota_exceeded: 'Khóa API này đã dùng hết {limit} token mỗi phút. Vui lòng thử lại sau {seconds} giây.',
    backend_failed: 'Backend không thể phản hồi. Vui lòng thử lại.',
    backend_timeout: 'Backend không phản hồi kịp thời.',
    service_unavailable: 'Dịch vụ hiện không khả dụng. Vui lòng thử lại sau vài giây.',
    sidecar_unavailable: 'Gateway hiện không thể kiểm tra yêu cầu này (dịch vụ kiểm duyệt yêu cầu của gateway đang ngừng hoạt động). Vui lòng thử lại sau vài giây.',
    internal_error: 'Gateway gặp lỗi nội bộ.',
    guard_prompt_injection: 'Yêu cầu này đã bị chặn: có vẻ đây là một nỗ lực ghi đè các chỉ dẫn của mô hình (kiểm tra: {scanner}).',
    guard_secrets: 'Yêu cầu này đã bị chặn: yêu cầu chứa nội dung có vẻ là thông tin bí mật hoặc thông tin xác thực (kiểm tra: {scanner}). Vui lòng xóa nội dung đó và thử lại.',
    guard_toxicity: 'Yêu cầu này đã bị chặn: yêu cầu chứa ngôn từ xúc phạm hoặc lăng mạ (kiểm tra: {scanner}).',
    guard_banned: 'Yêu cầu này đã bị chặn: yêu cầu chứa cụm từ không được phép sử dụng ở đây (kiểm tra: {scanner}).',
    guard_token_limit: 'Yêu cầu này đã bị chặn: prompt có {tokens} token, vượt quá mức {limit} token được phép cho mô hình này (kiểm tra: {scanner}).',
    guard_invisible_text: 'Yêu cầu này đã bị chặn: yêu cầu chứa ký tự Unicode vô hình (kiểm tra: {scanner}).',
    guard_output_blocked: 'Câu trả lời của mô hình đã bị bước kiểm tra {scanner} giữ lại.',
    guard_output_stream_stopped: 'Phần còn lại của câu trả lời này đã bị bước kiểm tra {scanner} giữ lại.',
  };
}
