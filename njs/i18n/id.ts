// Indonesian messages: exactly the keys and {placeholders} of en.ts (test/unit/i18n-catalogues.test.ts checks it).
// A function, not a module-level literal: njs runs module scope on every request.
import type { Catalogue } from './messages.ts';

export function id(): Catalogue {
  return {
    body_required: 'Permintaan harus menyertakan body JSON.',
    invalid_json: 'Body permintaan bukan JSON yang valid.',
    body_not_object: 'Body permintaan harus berupa objek JSON.',
    model_required: 'Permintaan tidak menyebutkan model yang akan digunakan (kolom "model").',
    model_name_too_long: 'Nama model lebih dari 256 karakter.',
    model_not_found: 'Model "{model}" tidak tersedia di gateway ini. Model yang tersedia: {models}.',
    no_healthy_backend: 'Saat ini tidak ada backend sehat yang dapat melayani "{model}". Silakan coba lagi dalam beberapa detik.',
    method_not_allowed: 'Metode {method} tidak diizinkan pada {path}.',
    route_not_found: 'Tidak ada rute {path} di gateway ini.',
    body_too_large: 'Body permintaan melebihi ukuran yang diterima gateway ini ({limit}).',
    headers_too_large: 'Header permintaan terlalu besar.',
    uri_too_long: 'URI permintaan terlalu panjang.',
    request_timeout: 'Permintaan tidak diterima tepat waktu.',
    bad_request: 'Format permintaan tidak valid.',
    key_sent_in_clear: 'Kunci API dikirim lewat HTTP tanpa enkripsi dan ditolak: gunakan HTTPS, lalu ganti kunci tersebut (kunci itu terkirim tanpa enkripsi).',
    rate_limited: 'Terlalu banyak permintaan. Silakan coba lagi nanti.',
    missing_api_key: 'Permintaan ini memerlukan kunci API yang dikirim sebagai {header}.',
    invalid_api_key: 'Kunci API tidak valid.',
    api_key_disabled: 'Kunci API ini dinonaktifkan.',
    model_not_allowed: 'Kunci API ini tidak diizinkan menggunakan model "{model}".',
    token_quota_exceeded: 'Kunci API ini telah menghabiskan {limit} token per menitnya. Silakan coba lagi dalam {seconds} detik.',
    backend_failed: 'Backend gagal memberikan jawaban. Silakan coba lagi.',
    backend_timeout: 'Backend tidak menjawab tepat waktu.',
    service_unavailable: 'Layanan sedang tidak tersedia. Silakan coba lagi dalam beberapa detik.',
    sidecar_unavailable: 'Gateway saat ini tidak dapat memeriksa permintaan ini (layanan penerimaan permintaannya sedang tidak aktif). Silakan coba lagi dalam beberapa detik.',
    internal_error: 'Gateway mengalami kesalahan internal.',
    guard_prompt_injection: 'Permintaan ini diblokir: tampaknya ini upaya untuk mengesampingkan instruksi model (pemeriksaan: {scanner}).',
    guard_secrets: 'Permintaan ini diblokir: permintaan berisi sesuatu yang tampak seperti rahasia atau kredensial (pemeriksaan: {scanner}). Hapus lalu coba lagi.',
    guard_toxicity: 'Permintaan ini diblokir: permintaan berisi bahasa yang menyinggung atau kasar (pemeriksaan: {scanner}).',
    guard_banned: 'Permintaan ini diblokir: permintaan berisi frasa yang tidak diizinkan di sini (pemeriksaan: {scanner}).',
    guard_token_limit: 'Permintaan ini diblokir: prompt berisi {tokens} token, melebihi batas {limit} token yang diizinkan untuk model ini (pemeriksaan: {scanner}).',
    guard_invisible_text: 'Permintaan ini diblokir: permintaan berisi karakter Unicode yang tidak terlihat (pemeriksaan: {scanner}).',
    guard_output_blocked: 'Jawaban model ditahan oleh pemeriksaan {scanner}.',
    guard_output_stream_stopped: 'Sisa jawaban ini ditahan oleh pemeriksaan {scanner}.',
  };
}
