// Thai messages: exactly the keys and {placeholders} of en.ts (test/unit/i18n-catalogues.test.ts checks it).
// Thai ends sentences with a space or nothing, not a full stop.
// A function, not a module-level literal: njs runs module scope on every request.
import type { Catalogue } from './en.ts';

export function th(): Catalogue {
  return {
    body_required: 'คำขอต้องมีส่วนเนื้อหาแบบ JSON',
    invalid_json: 'ส่วนเนื้อหาของคำขอไม่ใช่ JSON ที่ถูกต้อง',
    body_not_object: 'ส่วนเนื้อหาของคำขอต้องเป็นออบเจ็กต์ JSON',
    json_key_spelling: 'เนื้อหาคำขอมีคีย์ "{key}" ซึ่งแบ็กเอนด์จะอ่านเป็นการสะกดอีกแบบของฟิลด์หนึ่ง: เขียนแต่ละคีย์เพียงครั้งเดียวและเป็นตัวพิมพ์เล็ก',
    json_too_deep: 'เนื้อหาคำขอซ้อน JSON ลึกเกิน {limit} ระดับ',
    guard_unscannable: 'คำขอนี้มีเนื้อหาที่เกตเวย์ตรวจสอบไม่ได้ ({field}): โปรดส่งเป็นข้อความ',
    guard_text_too_large: 'คำขอนี้มีข้อความให้ตรวจสอบมากเกินไป: {fields} ฟิลด์ข้อความ และ {chars} อักขระ (ไม่เกิน {maxFields} และ {maxChars})',
    model_required: 'คำขอไม่ได้ระบุว่าจะใช้โมเดลใด (ฟิลด์ "model")',
    model_name_too_long: 'ชื่อโมเดลยาวเกิน 256 ตัวอักษร',
    model_not_found: 'โมเดล "{model}" ไม่พร้อมใช้งานบนเกตเวย์นี้ โมเดลที่ใช้งานได้: {models}',
    no_healthy_backend: 'ขณะนี้ไม่มีแบ็กเอนด์ที่ทำงานปกติซึ่งให้บริการ "{model}" ได้ กรุณาลองใหม่อีกครั้งในอีกไม่กี่วินาที',
    method_not_allowed: 'ไม่อนุญาตให้ใช้เมธอด {method} กับ {path}',
    route_not_found: 'ไม่มีเส้นทาง {path} บนเกตเวย์นี้',
    body_too_large: 'ส่วนเนื้อหาของคำขอมีขนาดใหญ่เกินกว่าที่เกตเวย์นี้รับได้ ({limit})',
    headers_too_large: 'ส่วนหัวของคำขอมีขนาดใหญ่เกินไป',
    uri_too_long: 'URI ของคำขอยาวเกินไป',
    request_timeout: 'ไม่ได้รับคำขอภายในเวลาที่กำหนด',
    bad_request: 'คำขอมีรูปแบบไม่ถูกต้อง',
    key_sent_in_clear: 'คีย์ API ถูกส่งผ่าน HTTP ที่ไม่เข้ารหัสจึงถูกปฏิเสธ: โปรดใช้ HTTPS และเปลี่ยนคีย์ใหม่ (คีย์ถูกส่งโดยไม่เข้ารหัส)',
    rate_limited: 'มีคำขอมากเกินไป กรุณาลองใหม่อีกครั้งในภายหลัง',
    missing_api_key: 'คำขอนี้ต้องใช้คีย์ API โดยส่งในรูปแบบ {header}',
    invalid_api_key: 'คีย์ API ไม่ถูกต้อง',
    api_key_disabled: 'คีย์ API นี้ถูกปิดใช้งาน',
    model_not_allowed: 'คีย์ API นี้ไม่ได้รับอนุญาตให้ใช้โมเดล "{model}"',
    token_quota_exceeded: 'คีย์ API นี้ใช้โทเค็นครบ {limit} โทเค็นต่อนาทีแล้ว โปรดลองอีกครั้งใน {seconds} วินาที',
    backend_failed: 'แบ็กเอนด์ไม่สามารถตอบกลับได้ กรุณาลองใหม่อีกครั้ง',
    backend_timeout: 'แบ็กเอนด์ไม่ตอบกลับภายในเวลาที่กำหนด',
    backend_busy: 'แบ็กเอนด์ทั้งหมดที่ให้บริการ "{model}" ไม่ว่าง กรุณาลองใหม่ในอีกสักครู่',
    service_unavailable: 'ขณะนี้บริการไม่พร้อมใช้งาน กรุณาลองใหม่อีกครั้งในอีกไม่กี่วินาที',
    sidecar_unavailable: 'ขณะนี้เกตเวย์ไม่สามารถตรวจสอบคำขอนี้ได้ (บริการคัดกรองคำขอของเกตเวย์หยุดทำงาน) กรุณาลองใหม่อีกครั้งในอีกไม่กี่วินาที',
    internal_error: 'เกิดข้อผิดพลาดภายในเกตเวย์',
    guard_prompt_injection: 'คำขอนี้ถูกบล็อก เนื่องจากดูเหมือนเป็นความพยายามลบล้างคำสั่งของโมเดล (การตรวจสอบ: {scanner})',
    guard_secrets: 'คำขอนี้ถูกบล็อก เนื่องจากมีข้อมูลที่ดูเหมือนเป็นข้อมูลลับหรือข้อมูลรับรอง (การตรวจสอบ: {scanner}) กรุณานำออกแล้วลองใหม่อีกครั้ง',
    guard_toxicity: 'คำขอนี้ถูกบล็อก เนื่องจากมีถ้อยคำที่ไม่เหมาะสมหรือหยาบคาย (การตรวจสอบ: {scanner})',
    guard_banned: 'คำขอนี้ถูกบล็อก เนื่องจากมีวลีที่ไม่อนุญาตให้ใช้ที่นี่ (การตรวจสอบ: {scanner})',
    guard_token_limit: 'คำขอนี้ถูกบล็อก เนื่องจากพรอมต์มี {tokens} โทเค็น เกินกว่า {limit} โทเค็นที่อนุญาตสำหรับโมเดลนี้ (การตรวจสอบ: {scanner})',
    guard_invisible_text: 'คำขอนี้ถูกบล็อก เนื่องจากมีอักขระ Unicode ที่มองไม่เห็น (การตรวจสอบ: {scanner})',
    guard_output_blocked: 'คำตอบของโมเดลถูกระงับโดยการตรวจสอบ {scanner}',
    guard_output_stream_stopped: 'ส่วนที่เหลือของคำตอบนี้ถูกระงับโดยการตรวจสอบ {scanner}',
    backend_stream_cut: 'แบ็กเอนด์หยุดทำงานก่อนตอบเสร็จ: เนื้อหาที่ได้รับจนถึงตอนนี้ไม่ครบถ้วน กรุณาลองใหม่อีกครั้ง',
  };
}
