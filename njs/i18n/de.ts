// German messages: exactly the keys and {placeholders} of en.ts (test/unit/i18n-catalogues.test.ts checks it).
// A function, not a module-level literal: njs runs module scope on every request.
import type { Catalogue } from './messages.ts';

export function de(): Catalogue {
  return {
    body_required: 'Die Anfrage muss einen JSON-Body enthalten.',
    invalid_json: 'Der Body der Anfrage ist kein gültiges JSON.',
    body_not_object: 'Der Body der Anfrage muss ein JSON-Objekt sein.',
    model_required: 'Die Anfrage gibt nicht an, welches Modell verwendet werden soll (Feld "model").',
    model_name_too_long: 'Der Modellname ist länger als 256 Zeichen.',
    model_not_found: 'Das Modell „{model}“ ist auf diesem Gateway nicht verfügbar. Verfügbare Modelle: {models}.',
    no_healthy_backend: 'Derzeit kann kein funktionsfähiges Backend „{model}“ bedienen. Bitte versuchen Sie es in einigen Sekunden erneut.',
    method_not_allowed: 'Die Methode {method} ist für {path} nicht zulässig.',
    route_not_found: 'Auf diesem Gateway gibt es keine Route {path}.',
    body_too_large: 'Der Body der Anfrage ist größer, als dieses Gateway akzeptiert ({limit}).',
    headers_too_large: 'Die Header der Anfrage sind zu groß.',
    uri_too_long: 'Die URI der Anfrage ist zu lang.',
    request_timeout: 'Die Anfrage ist nicht rechtzeitig eingegangen.',
    bad_request: 'Die Anfrage ist fehlerhaft.',
    key_sent_in_clear: 'Ein API-Schlüssel wurde über unverschlüsseltes HTTP gesendet und wird abgelehnt: Verwenden Sie HTTPS und tauschen Sie den Schlüssel aus (er wurde unverschlüsselt übertragen).',
    rate_limited: 'Zu viele Anfragen. Bitte versuchen Sie es später erneut.',
    missing_api_key: 'Diese Anfrage braucht einen API-Schlüssel, gesendet als {header}.',
    invalid_api_key: 'Der API-Schlüssel ist ungültig.',
    api_key_disabled: 'Dieser API-Schlüssel ist deaktiviert.',
    model_not_allowed: 'Dieser API-Schlüssel darf das Modell „{model}“ nicht verwenden.',
    token_quota_exceeded: 'Dieser API-Schlüssel hat seine {limit} Tokens pro Minute verbraucht. Bitte versuchen Sie es in {seconds} s erneut.',
    backend_failed: 'Das Backend konnte nicht antworten. Bitte versuchen Sie es erneut.',
    backend_timeout: 'Das Backend hat nicht rechtzeitig geantwortet.',
    service_unavailable: 'Der Dienst ist derzeit nicht verfügbar. Bitte versuchen Sie es in einigen Sekunden erneut.',
    sidecar_unavailable: 'Das Gateway kann diese Anfrage derzeit nicht prüfen (sein Zulassungsdienst ist ausgefallen). Bitte versuchen Sie es in einigen Sekunden erneut.',
    internal_error: 'Im Gateway ist ein interner Fehler aufgetreten.',
    guard_prompt_injection: 'Diese Anfrage wurde blockiert, da sie offenbar versucht, die Anweisungen des Modells außer Kraft zu setzen (Prüfung: {scanner}).',
    guard_secrets: 'Diese Anfrage wurde blockiert, da sie offenbar ein Geheimnis oder Zugangsdaten enthält (Prüfung: {scanner}). Entfernen Sie diese und versuchen Sie es erneut.',
    guard_toxicity: 'Diese Anfrage wurde blockiert, da sie beleidigende oder ausfallende Sprache enthält (Prüfung: {scanner}).',
    guard_banned: 'Diese Anfrage wurde blockiert, da sie eine Formulierung enthält, die hier nicht erlaubt ist (Prüfung: {scanner}).',
    guard_token_limit: 'Diese Anfrage wurde blockiert, da der Prompt {tokens} Tokens hat, mehr als die für dieses Modell zulässigen {limit} (Prüfung: {scanner}).',
    guard_invisible_text: 'Diese Anfrage wurde blockiert, da sie unsichtbare Unicode-Zeichen enthält (Prüfung: {scanner}).',
    guard_output_blocked: 'Die Antwort des Modells wurde von der Prüfung {scanner} zurückgehalten.',
    guard_output_stream_stopped: 'Der Rest dieser Antwort wurde von der Prüfung {scanner} zurückgehalten.',
  };
}
