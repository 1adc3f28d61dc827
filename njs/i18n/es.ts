// Spanish messages: exactly the keys and {placeholders} of en.ts (test/unit/i18n-catalogues.test.ts checks it).
// A function, not a module-level literal: njs runs module scope on every request.
import type { Catalogue } from './messages.ts';

export function es(): Catalogue {
  return {
    body_required: 'La solicitud necesita un cuerpo JSON.',
    invalid_json: 'El cuerpo de la solicitud no es un JSON válido.',
    body_not_object: 'El cuerpo de la solicitud debe ser un objeto JSON.',
    model_required: 'La solicitud no indica qué modelo usar (campo "model").',
    model_name_too_long: 'El nombre del modelo tiene más de 256 caracteres.',
    model_not_found: 'El modelo «{model}» no está disponible en esta puerta de enlace. Modelos disponibles: {models}.',
    no_healthy_backend: 'En este momento ningún backend en buen estado puede atender «{model}». Vuelva a intentarlo en unos segundos.',
    method_not_allowed: 'El método {method} no está permitido en {path}.',
    route_not_found: 'No existe la ruta {path} en esta puerta de enlace.',
    body_too_large: 'El cuerpo de la solicitud supera el tamaño que acepta esta puerta de enlace ({limit}).',
    headers_too_large: 'Los encabezados de la solicitud son demasiado grandes.',
    uri_too_long: 'El URI de la solicitud es demasiado largo.',
    request_timeout: 'La solicitud no se recibió a tiempo.',
    bad_request: 'La solicitud tiene un formato incorrecto.',
    key_sent_in_clear: 'Se envió una clave de API por HTTP sin cifrar y se rechaza: use HTTPS y renueve la clave (viajó sin cifrar).',
    rate_limited: 'Demasiadas solicitudes. Vuelva a intentarlo más tarde.',
    missing_api_key: 'Esta solicitud necesita una clave de API, enviada como {header}.',
    invalid_api_key: 'La clave de API no es válida.',
    api_key_disabled: 'Esta clave de API está desactivada.',
    model_not_allowed: 'Esta clave de API no puede usar el modelo «{model}».',
    token_quota_exceeded: 'Esta clave de API ha agotado sus {limit} tokens por minuto. Vuelva a intentarlo dentro de {seconds} s.',
    backend_failed: 'El backend no pudo responder. Vuelva a intentarlo.',
    backend_timeout: 'El backend no respondió a tiempo.',
    service_unavailable: 'El servicio no está disponible en este momento. Vuelva a intentarlo en unos segundos.',
    sidecar_unavailable: 'La puerta de enlace no puede comprobar esta solicitud en este momento (su servicio de admisión no funciona). Vuelva a intentarlo en unos segundos.',
    internal_error: 'Se produjo un error interno en la puerta de enlace.',
    guard_prompt_injection: 'Se bloqueó esta solicitud: parece un intento de anular las instrucciones del modelo (comprobación: {scanner}).',
    guard_secrets: 'Se bloqueó esta solicitud: contiene lo que parece un secreto o una credencial (comprobación: {scanner}). Elimínelo y vuelva a intentarlo.',
    guard_toxicity: 'Se bloqueó esta solicitud: contiene lenguaje ofensivo o abusivo (comprobación: {scanner}).',
    guard_banned: 'Se bloqueó esta solicitud: contiene una frase que no está permitida aquí (comprobación: {scanner}).',
    guard_token_limit: 'Se bloqueó esta solicitud: el prompt tiene {tokens} tokens, más de los {limit} permitidos para este modelo (comprobación: {scanner}).',
    guard_invisible_text: 'Se bloqueó esta solicitud: contiene caracteres Unicode invisibles (comprobación: {scanner}).',
    guard_output_blocked: 'La comprobación {scanner} retuvo la respuesta del modelo.',
    guard_output_stream_stopped: 'La comprobación {scanner} retuvo el resto de esta respuesta.',
  };
}
