// The event that ends a blocked stream, in the stream's own format, so that clients raise an error
// carrying the localized message instead of seeing the answer stop short:
// - SSE: the OpenAI SDK throws an APIError for an event whose data has an "error" object (its message
//   becomes the error's message), then "[DONE]" ends the stream for any other reader;
// - NDJSON: the Ollama library throws Error(line.error) for a line with an "error" field.
import type { ApiShape } from '../../core/contract.ts';
import { errorBody } from '../../core/errors/error-body.ts';
import { localize } from '../../core/i18n/messages.ts';
import type { Finding, StreamFormat } from '../../core/output/types.ts';

export const OUTPUT_BLOCKED_CODE = 'guard_output_blocked';

export function terminalEvent(format: StreamFormat, shape: ApiShape, lang: string, blocked: Finding): string {
  const message = localize(lang, 'guard_output_stream_stopped', { scanner: blocked.scanner });
  const body = errorBody(shape, 500, OUTPUT_BLOCKED_CODE, message.text, undefined, {
    scanner: blocked.scanner,
    reason: blocked.reason,
    language: message.lang,
  });
  return format === 'sse' ? 'data: ' + body + '\n\ndata: [DONE]\n\n' : body + '\n';
}
