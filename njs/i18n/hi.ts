// Hindi messages: exactly the keys and {placeholders} of en.ts (test/unit/i18n-catalogues.test.ts checks it).
// A function, not a module-level literal: njs runs module scope on every request.
import type { Catalogue } from './messages.ts';

export function hi(): Catalogue {
  return {
    body_required: 'अनुरोध में JSON बॉडी होनी चाहिए।',
    invalid_json: 'अनुरोध की बॉडी मान्य JSON नहीं है।',
    body_not_object: 'अनुरोध की बॉडी एक JSON ऑब्जेक्ट होनी चाहिए।',
    model_required: 'अनुरोध में यह नहीं बताया गया है कि किस मॉडल का उपयोग करना है ("model" फ़ील्ड)।',
    model_name_too_long: 'मॉडल का नाम 256 अक्षरों से लंबा है।',
    model_not_found: 'मॉडल "{model}" इस गेटवे पर उपलब्ध नहीं है। उपलब्ध मॉडल: {models}।',
    no_healthy_backend: 'इस समय कोई भी सही ढंग से चल रहा बैकएंड "{model}" को सेवा नहीं दे सकता। कृपया कुछ सेकंड बाद फिर से प्रयास करें।',
    method_not_allowed: '{path} पर {method} मेथड की अनुमति नहीं है।',
    route_not_found: 'इस गेटवे पर {path} रूट मौजूद नहीं है।',
    body_too_large: 'अनुरोध की बॉडी इस गेटवे द्वारा स्वीकार की जाने वाली सीमा ({limit}) से बड़ी है।',
    headers_too_large: 'अनुरोध के हेडर बहुत बड़े हैं।',
    uri_too_long: 'अनुरोध का URI बहुत लंबा है।',
    request_timeout: 'अनुरोध समय पर प्राप्त नहीं हुआ।',
    bad_request: 'अनुरोध का प्रारूप गलत है।',
    key_sent_in_clear: 'API कुंजी बिना एन्क्रिप्शन वाले HTTP पर भेजी गई, इसलिए अस्वीकार की गई: HTTPS का उपयोग करें और कुंजी बदलें (यह बिना एन्क्रिप्शन के भेजी गई थी)।',
    rate_limited: 'बहुत अधिक अनुरोध। कृपया कुछ देर बाद फिर से प्रयास करें।',
    missing_api_key: 'इस अनुरोध के लिए API कुंजी चाहिए, जिसे {header} के रूप में भेजें।',
    invalid_api_key: 'API कुंजी मान्य नहीं है।',
    api_key_disabled: 'यह API कुंजी अक्षम है।',
    model_not_allowed: 'यह API कुंजी मॉडल "{model}" का उपयोग नहीं कर सकती।',
    token_quota_exceeded: 'इस API कुंजी ने प्रति मिनट के अपने {limit} टोकन इस्तेमाल कर लिए हैं। कृपया {seconds} सेकंड बाद फिर से प्रयास करें।',
    backend_failed: 'बैकएंड उत्तर देने में विफल रहा। कृपया फिर से प्रयास करें।',
    backend_timeout: 'बैकएंड ने समय पर उत्तर नहीं दिया।',
    service_unavailable: 'सेवा इस समय उपलब्ध नहीं है। कृपया कुछ सेकंड बाद फिर से प्रयास करें।',
    sidecar_unavailable: 'गेटवे इस समय इस अनुरोध की जाँच नहीं कर सकता (इसकी प्रवेश-नियंत्रण सेवा बंद है)। कृपया कुछ सेकंड बाद फिर से प्रयास करें।',
    internal_error: 'गेटवे में एक आंतरिक त्रुटि हुई।',
    guard_prompt_injection: 'यह अनुरोध रोक दिया गया: यह मॉडल के निर्देशों को ओवरराइड करने का प्रयास लगता है (जाँच: {scanner})।',
    guard_secrets: 'यह अनुरोध रोक दिया गया: इसमें कोई गोपनीय जानकारी या क्रेडेंशियल जैसा कुछ है (जाँच: {scanner})। कृपया उसे हटाकर फिर से प्रयास करें।',
    guard_toxicity: 'यह अनुरोध रोक दिया गया: इसमें आपत्तिजनक या अपमानजनक भाषा है (जाँच: {scanner})।',
    guard_banned: 'यह अनुरोध रोक दिया गया: इसमें ऐसा वाक्यांश है जिसकी यहाँ अनुमति नहीं है (जाँच: {scanner})।',
    guard_token_limit: 'यह अनुरोध रोक दिया गया: प्रॉम्प्ट में {tokens} टोकन हैं, जो इस मॉडल के लिए अनुमत {limit} से अधिक हैं (जाँच: {scanner})।',
    guard_invisible_text: 'यह अनुरोध रोक दिया गया: इसमें अदृश्य Unicode वर्ण हैं (जाँच: {scanner})।',
    guard_output_blocked: 'मॉडल का उत्तर {scanner} जाँच द्वारा रोक लिया गया।',
    guard_output_stream_stopped: 'इस उत्तर का शेष भाग {scanner} जाँच द्वारा रोक लिया गया।',
  };
}
