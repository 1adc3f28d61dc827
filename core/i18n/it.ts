// Italian messages: exactly the keys and {placeholders} of en.ts (test/unit/i18n-catalogues.test.ts checks it).
// Instructions use the impersonal infinitive ("Riprovare"), the usual polite form for product messages.
// A function, not a module-level literal: njs runs module scope on every request.
import type { Catalogue } from './en.ts';

export function it(): Catalogue {
  return {
    body_required: 'La richiesta deve avere un corpo JSON.',
    invalid_json: 'Il corpo della richiesta non è un JSON valido.',
    body_not_object: 'Il corpo della richiesta deve essere un oggetto JSON.',
    json_key_spelling: 'Il corpo della richiesta contiene la chiave "{key}", che un backend legge come un\'altra grafia di un campo: scrivi ogni chiave una sola volta, in minuscolo.',
    json_too_deep: 'Il corpo della richiesta annida il JSON per più di {limit} livelli.',
    guard_unscannable: 'Questa richiesta ha contenuti che il gateway non può controllare ({field}): inviali come testo.',
    guard_text_too_large: 'Questa richiesta ha troppo testo da controllare: {fields} campi di testo e {chars} caratteri (al massimo {maxFields} e {maxChars}).',
    model_required: 'La richiesta non indica quale modello usare (campo "model").',
    model_name_too_long: 'Il nome del modello supera i 256 caratteri.',
    model_not_found: 'Il modello "{model}" non è disponibile su questo gateway. Modelli disponibili: {models}.',
    no_healthy_backend: 'Al momento nessun backend funzionante può servire "{model}". Riprovare tra qualche secondo.',
    method_not_allowed: 'Il metodo {method} non è consentito su {path}.',
    route_not_found: 'Il percorso {path} non esiste su questo gateway.',
    body_too_large: 'Il corpo della richiesta supera la dimensione accettata da questo gateway ({limit}).',
    headers_too_large: 'Le intestazioni della richiesta sono troppo grandi.',
    uri_too_long: 'L\'URI della richiesta è troppo lungo.',
    request_timeout: 'La richiesta non è stata ricevuta in tempo.',
    bad_request: 'La richiesta non è formata correttamente.',
    key_sent_in_clear: 'Una chiave API è stata inviata tramite HTTP non cifrato ed è rifiutata: usa HTTPS e sostituisci la chiave (è transitata in chiaro).',
    rate_limited: 'Troppe richieste. Riprovare più tardi.',
    missing_api_key: 'Questa richiesta richiede una chiave API, inviata come {header}.',
    invalid_api_key: 'La chiave API non è valida.',
    api_key_disabled: 'Questa chiave API è disattivata.',
    model_not_allowed: 'Questa chiave API non può usare il modello "{model}".',
    token_quota_exceeded: 'Questa chiave API ha esaurito i suoi {limit} token al minuto. Riprova tra {seconds} s.',
    backend_failed: 'Il backend non è riuscito a rispondere. Riprovare.',
    backend_timeout: 'Il backend non ha risposto in tempo.',
    backend_busy: 'Tutti i backend che servono "{model}" sono occupati. Riprovare tra qualche secondo.',
    service_unavailable: 'Il servizio non è al momento disponibile. Riprovare tra qualche secondo.',
    sidecar_unavailable: 'Al momento il gateway non può verificare questa richiesta (il suo servizio di ammissione non è attivo). Riprovare tra qualche secondo.',
    internal_error: 'Si è verificato un errore interno nel gateway.',
    guard_prompt_injection: 'Questa richiesta è stata bloccata: sembra un tentativo di scavalcare le istruzioni del modello (controllo: {scanner}).',
    guard_secrets: 'Questa richiesta è stata bloccata: contiene quello che sembra un segreto o una credenziale (controllo: {scanner}). Rimuoverlo e riprovare.',
    guard_toxicity: 'Questa richiesta è stata bloccata: contiene linguaggio offensivo o ingiurioso (controllo: {scanner}).',
    guard_banned: 'Questa richiesta è stata bloccata: contiene una frase non consentita in questo contesto (controllo: {scanner}).',
    guard_token_limit: 'Questa richiesta è stata bloccata: il prompt contiene {tokens} token, più dei {limit} consentiti per questo modello (controllo: {scanner}).',
    guard_invisible_text: 'Questa richiesta è stata bloccata: contiene caratteri Unicode invisibili (controllo: {scanner}).',
    guard_output_blocked: 'La risposta del modello è stata trattenuta dal controllo {scanner}.',
    guard_output_stream_stopped: 'Il resto di questa risposta è stato trattenuto dal controllo {scanner}.',
    backend_stream_cut: 'Il backend si è fermato prima di completare questa risposta: quanto ricevuto finora è incompleto. Riprovare.',
  };
}
