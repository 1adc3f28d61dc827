// Russian messages: exactly the keys and {placeholders} of en.ts (test/unit/i18n-catalogues.test.ts checks it).
// A function, not a module-level literal: njs runs module scope on every request.
import type { Catalogue } from './messages.ts';

export function ru(): Catalogue {
  return {
    body_required: 'У запроса должно быть тело в формате JSON.',
    invalid_json: 'Тело запроса не является корректным JSON.',
    body_not_object: 'Тело запроса должно быть JSON-объектом.',
    model_required: 'В запросе не указано, какую модель использовать (поле "model").',
    model_name_too_long: 'Имя модели длиннее 256 символов.',
    model_not_found: 'Модель «{model}» недоступна на этом шлюзе. Доступные модели: {models}.',
    no_healthy_backend: 'Сейчас нет исправного бэкенда, который может обслужить «{model}». Повторите попытку через несколько секунд.',
    method_not_allowed: 'Метод {method} не разрешён для {path}.',
    route_not_found: 'На этом шлюзе нет маршрута {path}.',
    body_too_large: 'Тело запроса превышает размер, допустимый на этом шлюзе ({limit}).',
    headers_too_large: 'Заголовки запроса слишком велики.',
    uri_too_long: 'URI запроса слишком длинный.',
    request_timeout: 'Запрос не был получен вовремя.',
    bad_request: 'Запрос сформирован неправильно.',
    key_sent_in_clear: 'Ключ API был отправлен по незашифрованному HTTP и отклонён: используйте HTTPS и замените ключ (он передавался в открытом виде).',
    rate_limited: 'Слишком много запросов. Повторите попытку позже.',
    missing_api_key: 'Для этого запроса нужен API-ключ в виде {header}.',
    invalid_api_key: 'API-ключ недействителен.',
    api_key_disabled: 'Этот API-ключ отключён.',
    model_not_allowed: 'Этому API-ключу не разрешено использовать модель «{model}».',
    token_quota_exceeded: 'Этот API-ключ израсходовал свои {limit} токенов в минуту. Повторите попытку через {seconds} с.',
    backend_failed: 'Бэкенд не смог ответить. Повторите попытку.',
    backend_timeout: 'Бэкенд не ответил вовремя.',
    service_unavailable: 'Сервис сейчас недоступен. Повторите попытку через несколько секунд.',
    sidecar_unavailable: 'Шлюз сейчас не может проверить этот запрос (его служба допуска запросов не работает). Повторите попытку через несколько секунд.',
    internal_error: 'В шлюзе произошла внутренняя ошибка.',
    guard_prompt_injection: 'Запрос заблокирован: он похож на попытку переопределить инструкции модели (проверка: {scanner}).',
    guard_secrets: 'Запрос заблокирован: он содержит нечто похожее на секрет или учётные данные (проверка: {scanner}). Удалите это и повторите попытку.',
    guard_toxicity: 'Запрос заблокирован: он содержит оскорбительные или грубые выражения (проверка: {scanner}).',
    guard_banned: 'Запрос заблокирован: он содержит фразу, которая здесь запрещена (проверка: {scanner}).',
    guard_token_limit: 'Запрос заблокирован: число токенов в промпте ({tokens}) превышает допустимое для этой модели ({limit}) (проверка: {scanner}).',
    guard_invisible_text: 'Запрос заблокирован: он содержит невидимые символы Unicode (проверка: {scanner}).',
    guard_output_blocked: 'Ответ модели не был выдан: его задержала проверка {scanner}.',
    guard_output_stream_stopped: 'Остаток этого ответа не был выдан: его задержала проверка {scanner}.',
  };
}
