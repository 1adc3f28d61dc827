// Arabic (Modern Standard Arabic) messages: exactly the keys and {placeholders} of en.ts
// (test/unit/i18n-catalogues.test.ts checks it).
// A function, not a module-level literal: njs runs module scope on every request.
import type { Catalogue } from './en.ts';

export function ar(): Catalogue {
  return {
    body_required: 'يجب أن يتضمن الطلب متنًا بتنسيق JSON.',
    invalid_json: 'متن الطلب ليس بتنسيق JSON صالح.',
    body_not_object: 'يجب أن يكون متن الطلب كائن JSON.',
    json_key_spelling: 'يحتوي نص الطلب على المفتاح "{key}" الذي تقرؤه الخادمة الخلفية كتهجئة أخرى لحقل: اكتب كل مفتاح مرة واحدة وبأحرف صغيرة.',
    json_too_deep: 'يتداخل JSON في نص الطلب بأكثر من {limit} مستوى.',
    guard_unscannable: 'يحتوي هذا الطلب على محتوى لا تستطيع البوابة فحصه ({field}): أرسله كنص.',
    guard_text_too_large: 'يحتوي هذا الطلب على نص أكثر مما يمكن فحصه: {fields} حقلًا نصيًا و{chars} حرفًا (الحد الأقصى {maxFields} و{maxChars}).',
    model_required: 'لم يحدد الطلب النموذج المراد استخدامه (الحقل "model").',
    model_name_too_long: 'اسم النموذج أطول من 256 حرفًا.',
    model_not_found: 'النموذج «{model}» غير متاح على هذه البوابة. النماذج المتاحة: {models}.',
    no_healthy_backend: 'لا يوجد حاليًا خادم خلفي سليم يمكنه خدمة «{model}». يُرجى إعادة المحاولة بعد بضع ثوانٍ.',
    method_not_allowed: 'الطريقة {method} غير مسموح بها على {path}.',
    route_not_found: 'لا يوجد مسار {path} على هذه البوابة.',
    body_too_large: 'متن الطلب أكبر من الحجم الذي تقبله هذه البوابة ({limit}).',
    headers_too_large: 'ترويسات الطلب كبيرة جدًا.',
    uri_too_long: 'عنوان URI الخاص بالطلب طويل جدًا.',
    request_timeout: 'لم يُستلَم الطلب في الوقت المحدد.',
    bad_request: 'صيغة الطلب غير صحيحة.',
    key_sent_in_clear: 'أُرسل مفتاح API عبر HTTP غير مشفّر فرُفض: استخدم HTTPS واستبدل المفتاح (فقد انتقل دون تشفير).',
    rate_limited: 'عدد الطلبات كبير جدًا. يُرجى إعادة المحاولة لاحقًا.',
    missing_api_key: 'يتطلب هذا الطلب مفتاح API يُرسَل بالصيغة {header}.',
    invalid_api_key: 'مفتاح API غير صالح.',
    api_key_disabled: 'مفتاح API هذا معطَّل.',
    model_not_allowed: 'لا يُسمح لمفتاح API هذا باستخدام النموذج "{model}".',
    token_quota_exceeded: 'استنفد مفتاح API هذا حصته البالغة {limit} رمزًا في الدقيقة. يُرجى إعادة المحاولة بعد {seconds} ثانية.',
    backend_failed: 'تعذّر على الخادم الخلفي تقديم إجابة. يُرجى إعادة المحاولة.',
    backend_timeout: 'لم يستجب الخادم الخلفي في الوقت المحدد.',
    backend_busy: 'جميع الخوادم الخلفية التي تخدم "{model}" مشغولة. يُرجى إعادة المحاولة بعد بضع ثوانٍ.',
    service_unavailable: 'الخدمة غير متاحة حاليًا. يُرجى إعادة المحاولة بعد بضع ثوانٍ.',
    sidecar_unavailable: 'لا تستطيع البوابة فحص هذا الطلب حاليًا (خدمة قبول الطلبات التابعة لها متوقفة). يُرجى إعادة المحاولة بعد بضع ثوانٍ.',
    internal_error: 'حدث خطأ داخلي في البوابة.',
    guard_prompt_injection: 'تم حظر هذا الطلب: يبدو أنه محاولة لتجاوز تعليمات النموذج (الفحص: {scanner}).',
    guard_secrets: 'تم حظر هذا الطلب: يحتوي على ما يبدو أنه معلومات سرية أو بيانات اعتماد (الفحص: {scanner}). يُرجى إزالتها والمحاولة مرة أخرى.',
    guard_toxicity: 'تم حظر هذا الطلب: يحتوي على لغة مسيئة أو بذيئة (الفحص: {scanner}).',
    guard_banned: 'تم حظر هذا الطلب: يحتوي على عبارة غير مسموح بها هنا (الفحص: {scanner}).',
    guard_token_limit: 'تم حظر هذا الطلب: عدد الرموز في الموجِّه ({tokens}) يتجاوز الحد المسموح به لهذا النموذج ({limit}) (الفحص: {scanner}).',
    guard_invisible_text: 'تم حظر هذا الطلب: يحتوي على محارف Unicode غير مرئية (الفحص: {scanner}).',
    guard_output_blocked: 'حُجبت إجابة النموذج بواسطة فحص {scanner}.',
    guard_output_stream_stopped: 'حُجب باقي هذه الإجابة بواسطة فحص {scanner}.',
    backend_stream_cut: 'توقف الخادم الخلفي قبل إكمال هذه الإجابة: ما وصل حتى الآن غير مكتمل. يُرجى إعادة المحاولة.',
  };
}
