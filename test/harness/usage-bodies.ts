// Whole JSON answers with their usage keys at every place a backend or generated text could put them:
// top-level or nested in raw tool-call arguments, duplicated, quoted inside text, or "usage" as a
// value. njs/usage/parse-usage.ts reads usage from the body's end; these check it reads what a parse of
// the whole body gives (test/unit/telemetry.test.ts in node, test/njs/usage-end.test.ts in njs).

/** Every order of one message part and three members (repeats allowed): the last duplicate wins. */
export function usageBodies(): string[] {
  const args = '{"usage":{"prompt_tokens":0,"completion_tokens":0},"prompt_eval_count":0,"eval_count":0}';
  const message = [
    '"message":{"content":"text \\"usage\\": {\\"prompt_tokens\\":0}}"}',
    `"message":{"tool_calls":[{"function":{"name":"f","arguments":${args}}}]}`,
    '"role":"usage"',
  ];
  const members = ['"usage":{"prompt_tokens":12,"completion_tokens":34}', '"prompt_eval_count":3', '"eval_count":9', '"usage":{"prompt_tokens":1,"completion_tokens":2}', '"done":true', '"usage":null'];
  const out: string[] = [];
  for (const m of message) {
    for (const a of members) {
      for (const b of members) {
        for (const c of members) {
          for (let at = 0; at < 4; at++) {
            const parts = [a, b, c];
            parts.splice(at, 0, m);
            out.push(`{${parts.join(',')}}`);
          }
        }
      }
    }
  }
  return out;
}

/** What the gateway must read from a whole body: the top-level usage of its full parse, or Ollama's counts. */
export function wholeParseEnd(text: string): { terminal: boolean; promptTokens?: number; completionTokens?: number } {
  const o = JSON.parse(text) as Record<string, unknown>;
  const u = o.usage as Record<string, number> | undefined;
  if (u && typeof u === 'object') return { terminal: true, promptTokens: u.prompt_tokens, completionTokens: u.completion_tokens };
  return { terminal: true, promptTokens: o.prompt_eval_count as number | undefined, completionTokens: o.eval_count as number | undefined };
}
