// French messages: exactly the keys and {placeholders} of en.ts (test/unit/i18n-catalogues.test.ts checks it).
// A function, not a module-level literal: njs runs module scope on every request.
import type { Catalogue } from './messages.ts';

export function fr(): Catalogue {
  return {
    body_required: 'La requête doit contenir un corps JSON.',
    invalid_json: 'Le corps de la requête n\'est pas un JSON valide.',
    body_not_object: 'Le corps de la requête doit être un objet JSON.',
    model_required: 'La requête n\'indique pas quel modèle utiliser (champ "model").',
    model_name_too_long: 'Le nom du modèle dépasse 256 caractères.',
    model_not_found: 'Le modèle « {model} » n\'est pas disponible sur cette passerelle. Modèles disponibles : {models}.',
    no_healthy_backend: 'Aucun backend opérationnel ne peut traiter « {model} » pour le moment. Veuillez réessayer dans quelques secondes.',
    method_not_allowed: 'La méthode {method} n\'est pas autorisée sur {path}.',
    route_not_found: 'La route {path} n\'existe pas sur cette passerelle.',
    body_too_large: 'Le corps de la requête dépasse la taille acceptée par cette passerelle ({limit}).',
    headers_too_large: 'Les en-têtes de la requête sont trop volumineux.',
    uri_too_long: 'L\'URI de la requête est trop longue.',
    request_timeout: 'La requête n\'a pas été reçue à temps.',
    bad_request: 'La requête est mal formée.',
    key_sent_in_clear: 'Une clé d\'API a été envoyée en HTTP non chiffré et est refusée : utilisez HTTPS et renouvelez la clé (elle a circulé en clair).',
    rate_limited: 'Trop de requêtes. Veuillez réessayer plus tard.',
    missing_api_key: 'Cette requête nécessite une clé d\'API, envoyée sous la forme {header}.',
    invalid_api_key: 'La clé d\'API n\'est pas valide.',
    api_key_disabled: 'Cette clé d\'API est désactivée.',
    model_not_allowed: 'Cette clé d\'API n\'a pas le droit d\'utiliser le modèle « {model} ».',
    token_quota_exceeded: 'Cette clé d\'API a consommé ses {limit} tokens par minute. Veuillez réessayer dans {seconds} s.',
    backend_failed: 'Le backend n\'a pas pu répondre. Veuillez réessayer.',
    backend_timeout: 'Le backend n\'a pas répondu à temps.',
    service_unavailable: 'Le service est momentanément indisponible. Veuillez réessayer dans quelques secondes.',
    sidecar_unavailable: 'La passerelle ne peut pas vérifier cette requête pour le moment (son service d\'admission est hors service). Veuillez réessayer dans quelques secondes.',
    internal_error: 'La passerelle a rencontré une erreur interne.',
    guard_prompt_injection: 'Cette requête a été bloquée : elle semble tenter d\'outrepasser les instructions du modèle (contrôle : {scanner}).',
    guard_secrets: 'Cette requête a été bloquée : elle contient ce qui ressemble à un secret ou à des identifiants (contrôle : {scanner}). Supprimez-les et réessayez.',
    guard_toxicity: 'Cette requête a été bloquée : elle contient des propos offensants ou injurieux (contrôle : {scanner}).',
    guard_banned: 'Cette requête a été bloquée : elle contient une expression qui n\'est pas autorisée ici (contrôle : {scanner}).',
    guard_token_limit: 'Cette requête a été bloquée : le prompt compte {tokens} tokens, soit plus que les {limit} autorisés pour ce modèle (contrôle : {scanner}).',
    guard_invisible_text: 'Cette requête a été bloquée : elle contient des caractères Unicode invisibles (contrôle : {scanner}).',
    guard_output_blocked: 'La réponse du modèle a été retenue par le contrôle {scanner}.',
    guard_output_stream_stopped: 'La suite de cette réponse a été retenue par le contrôle {scanner}.',
  };
}
