// A redacted body of any size goes through: the sidecar's verdict carries only a reference and njs
// fetches the rewritten body through a buffer as large as nginx.maxBodySize. Before, a redacted
// prompt over 64 KB (a pasted log with one key in it) failed because the verdict carried the body.
// Through real nginx, njs and the sidecar, on the input (prompt) and output (whole answer) sides.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rawPost } from '../harness/gateway-client.ts';
import { startStack, type Stack } from '../harness/stack.ts';

const MODEL = 'llama3.2:1b';
/** Synthetic, matches gitleaks' aws-access-token rule. */
const AWS_KEY = 'AKIAZ7Q3WXRT5VBN4M2P';

/** About `bytes` of log lines with the key in the middle. */
function pastedLog(bytes: number): string {
  const lines: string[] = [];
  for (let i = 0; lines.length * 60 < bytes; i++) lines.push(`2026-12-05T04:${String(i % 60).padStart(2, '0')}:00Z worker-${i % 7} handled job ${i} in ${i % 97} ms`);
  lines.splice(lines.length >> 1, 0, `export AWS_ACCESS_KEY_ID=${AWS_KEY}`);
  return lines.join('\n');
}

describe('redacted bodies larger than a verdict buffer', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      backends: [{ name: 'a' }],
      config: { guard: { input: { tokenLimit: { limit: 1_000_000 } } } },
    });
  });
  after(async () => stack?.stop());

  it('a 300 KB prompt with one key: 200, the backend gets it whole with the key redacted', async () => {
    const log = pastedLog(300_000);
    const res = await rawPost(`${stack.url}/api/chat`, { model: MODEL, stream: false, messages: [{ role: 'user', content: `Why do these jobs fail?\n${log}` }] });
    assert.equal(res.status, 200, res.text.slice(0, 300));
    assert.equal(res.headers['x-guard-redacted'], 'Secrets');
    const got = JSON.parse(stack.emulators.a.lastBody()!.text);
    assert.equal(got.messages[0].content, `Why do these jobs fail?\n${log.replace(AWS_KEY, '[REDACTED]')}`);
  });
});

describe('redacted whole answers larger than a verdict buffer', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      backends: [{ name: 'a' }],
      // The prompt carries the key to the emulator, which says it back (echo): only the output guard may redact it.
      config: { guard: { input: { secrets: { enabled: false }, tokenLimit: { limit: 1_000_000 } }, output: { secrets: { enabled: true } } } },
    });
  });
  after(async () => stack?.stop());

  it('a 200 KB answer with one key: 200, the client gets it whole with the key redacted', async () => {
    const words = pastedLog(200_000).replace(/\n/g, ' ');
    for (const path of ['/api/chat', '/v1/chat/completions']) {
      const res = await rawPost(`${stack.url}${path}`, { model: MODEL, stream: false, messages: [{ role: 'user', content: `echo: ${words}` }] });
      assert.equal(res.status, 200, res.text.slice(0, 300));
      assert.equal(res.headers['x-guard-output-redacted'], 'Secrets', path);
      const body = JSON.parse(res.text);
      const content = path === '/api/chat' ? body.message.content : body.choices[0].message.content;
      assert.equal(content, words.replace(AWS_KEY, '[REDACTED]'), path);
    }
  });
});
