// Server-sent event frames as the translators write them.

/** OpenAI's frame: one data line. */
export function dataFrame(payload: unknown): string {
  return 'data: ' + (typeof payload === 'string' ? payload : JSON.stringify(payload)) + '\n\n';
}

/** Anthropic's frame: the event's name, then its data (whose "type" repeats the name). */
export function namedFrame(event: { type: string; [field: string]: unknown }): string {
  return 'event: ' + event.type + '\ndata: ' + JSON.stringify(event) + '\n\n';
}

export const OPENAI_DONE = 'data: [DONE]\n\n';
