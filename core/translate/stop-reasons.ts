// Why generation stopped, in each API's words.

/** Anthropic stop_reason → OpenAI finish_reason. */
export function openaiFinish(stopReason: unknown): string {
  switch (stopReason) {
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop'; // end_turn, stop_sequence, pause_turn
  }
}

/** OpenAI finish_reason → Anthropic stop_reason. */
export function anthropicStop(finishReason: unknown): string {
  switch (finishReason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

/** OpenAI finish_reason → Ollama done_reason (Ollama says "stop" after tool calls too). */
export function ollamaDone(finishReason: unknown): string {
  return finishReason === 'length' ? 'length' : 'stop';
}
