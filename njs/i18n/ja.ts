// Japanese messages: exactly the keys and {placeholders} of en.ts (test/unit/i18n-catalogues.test.ts checks it).
// A function, not a module-level literal: njs runs module scope on every request.
import type { Catalogue } from './messages.ts';

export function ja(): Catalogue {
  return {
    body_required: 'リクエストには JSON の本文が必要です。',
    invalid_json: 'リクエスト本文が有効な JSON ではありません。',
    body_not_object: 'リクエスト本文は JSON オブジェクトである必要があります。',
    model_required: 'リクエストで使用するモデル（「model」フィールド）が指定されていません。',
    model_name_too_long: 'モデル名が 256 文字を超えています。',
    model_not_found: 'モデル「{model}」はこのゲートウェイでは利用できません。利用可能なモデル：{models}。',
    no_healthy_backend: '現在「{model}」を処理できる正常なバックエンドがありません。数秒後に再試行してください。',
    method_not_allowed: '{path} では {method} メソッドは許可されていません。',
    route_not_found: 'このゲートウェイにはルート {path} がありません。',
    body_too_large: 'リクエスト本文がこのゲートウェイで受け付けられるサイズ（{limit}）を超えています。',
    headers_too_large: 'リクエストヘッダーが大きすぎます。',
    uri_too_long: 'リクエスト URI が長すぎます。',
    request_timeout: 'リクエストを時間内に受信できませんでした。',
    bad_request: 'リクエストの形式が正しくありません。',
    key_sent_in_clear: 'API キーが暗号化されていない HTTP で送信されたため拒否しました。HTTPS を使用し、キーを再発行してください（暗号化されずに送信されました）。',
    rate_limited: 'リクエストが多すぎます。しばらくしてから再試行してください。',
    missing_api_key: 'このリクエストには API キーが必要です。{header} の形式で送信してください。',
    invalid_api_key: 'API キーが無効です。',
    api_key_disabled: 'この API キーは無効化されています。',
    model_not_allowed: 'この API キーではモデル「{model}」を使用できません。',
    token_quota_exceeded: 'この API キーは 1 分あたり {limit} トークンの上限に達しました。{seconds} 秒後に再試行してください。',
    backend_failed: 'バックエンドが応答できませんでした。再試行してください。',
    backend_timeout: 'バックエンドが時間内に応答しませんでした。',
    service_unavailable: '現在サービスを利用できません。数秒後に再試行してください。',
    sidecar_unavailable: '現在ゲートウェイはこのリクエストを確認できません（リクエスト審査サービスが停止しています）。数秒後に再試行してください。',
    internal_error: 'ゲートウェイで内部エラーが発生しました。',
    guard_prompt_injection: 'このリクエストはブロックされました。モデルへの指示を上書きしようとする試みのようです（チェック：{scanner}）。',
    guard_secrets: 'このリクエストはブロックされました。シークレットまたは認証情報と思われる内容が含まれています（チェック：{scanner}）。削除してから再試行してください。',
    guard_toxicity: 'このリクエストはブロックされました。攻撃的または侮辱的な表現が含まれています（チェック：{scanner}）。',
    guard_banned: 'このリクエストはブロックされました。ここでは使用できない語句が含まれています（チェック：{scanner}）。',
    guard_token_limit: 'このリクエストはブロックされました。プロンプトが {tokens} トークンあり、このモデルで許可されている {limit} トークンを超えています（チェック：{scanner}）。',
    guard_invisible_text: 'このリクエストはブロックされました。目に見えない Unicode 文字が含まれています（チェック：{scanner}）。',
    guard_output_blocked: 'モデルの回答は {scanner} チェックにより差し止められました。',
    guard_output_stream_stopped: 'この回答の残りの部分は {scanner} チェックにより差し止められました。',
  };
}
