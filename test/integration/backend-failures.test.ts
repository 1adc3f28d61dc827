// The failure policy (README "When a backend fails"), through real nginx: a hung backend loses the
// request to a healthy one after the first-byte timeout; "server busy" 503s move the request on
// without taking the server out of service; a generation that fails (500) is tried on one other
// server, never on every one; and what is left is JSON in the client's API shape.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { Ollama } from 'ollama';
import { startStack, type Stack } from '../harness/stack.ts';
import { assertFromBackend, assertJsonError, FAST_HEALTH, rawPost, recordingFetch } from '../harness/gateway-client.ts';

const MODEL = 'llama3.2:1b';
const CHAT = { model: MODEL, messages: [{ role: 'user' as const, content: 'hi' }] };
const ROUTES = [
  { path: '/v1/chat/completions', shape: 'openai' as const, body: CHAT },
  { path: '/v1/chat/completions', shape: 'openai' as const, body: { ...CHAT, stream: true } },
  { path: '/api/chat', shape: 'ollama' as const, body: { ...CHAT, stream: false } },
  { path: '/api/chat', shape: 'ollama' as const, body: CHAT },
];

type Emulators = Stack['emulators'];
const generations = (e: Emulators[string], path: string) => e.stats().byPath[path] ?? 0;
const resetAll = (stack: Stack) => Object.values(stack.emulators).forEach((e) => e.resetStats());
const failAll = (stack: Stack, rule: Parameters<Emulators[string]['fail']>[0]) => Object.values(stack.emulators).forEach((e) => e.fail(rule));

/** Server a answers `status` to generations: every request is answered by b or c, and a serves again right after. */
async function assertPassedOver(stack: Stack, status: number): Promise<void> {
  const { a } = stack.emulators;
  for (const { path, body } of ROUTES) {
    a.fail({ failure: { mode: 'status', status } });
    try {
      for (let i = 0; i < 3; i++) {
        const res = await rawPost(`${stack.url}${path}`, body);
        assert.equal(res.status, 200, `${path}: ${res.text}`);
        assertFromBackend(stack, res.headers, undefined, ['b', 'c']);
      }
    } finally {
      a.fail(null);
    }
    assert.ok(generations(a, path) >= 1, `${path}: a was tried`);
    // Counted as a failure, nginx would skip a for failTimeout (1 min): it must serve now.
    resetAll(stack);
    for (let i = 0; i < 6; i++) assert.equal((await rawPost(`${stack.url}${path}`, body)).status, 200);
    assert.ok(generations(a, path) >= 1, `${path}: a serves again at once`);
  }
}

describe('a hung backend', () => {
  let stack: Stack;
  before(async () => {
    // Round robin: every other request picks the hung server first.
    stack = await startStack({
      backends: [{ name: 'a' }, { name: 'b' }],
      config: { strategy: 'round_robin', timeouts: { firstByte: '1s', wholeAnswer: '2s' }, health: { ...FAST_HEALTH, maxFails: 0 } },
    });
  });
  after(async () => stack?.stop());

  it('loses a streamed request to the healthy one after timeouts.firstByte, for the official clients too', async () => {
    stack.emulators.a.fail({ failure: { mode: 'hang' } });
    try {
      let movedOn = 0;
      for (let i = 0; i < 2; i++) {
        const started = Date.now();
        const res = await rawPost(`${stack.url}/v1/chat/completions`, { ...CHAT, stream: true });
        assert.equal(res.status, 200, res.text);
        assertFromBackend(stack, res.headers, undefined, 'b');
        assert.match(res.text, /data: \[DONE\]/);
        if (res.headers['x-gateway-attempts'] !== '2') continue;
        movedOn++;
        assert.ok(Date.now() - started >= 1000, 'moved on only after the first-byte timeout');
      }
      assert.equal(movedOn, 1, 'round robin sent one of the two to the hung server first');
      const openai = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: 'unused', maxRetries: 0 });
      const ollama = new Ollama({ host: stack.url, fetch: recordingFetch().fetch });
      for (let i = 0; i < 2; i++) {
        let text = '';
        for await (const chunk of await openai.chat.completions.create({ ...CHAT, stream: true })) text += chunk.choices[0]?.delta?.content ?? '';
        assert.match(text, /^\[b\]/);
        let native = '';
        for await (const part of await ollama.chat({ ...CHAT, stream: true })) native += part.message.content;
        assert.match(native, /^\[b\]/);
      }
      assert.ok(generations(stack.emulators.a, '/v1/chat/completions') >= 3, 'the hung server did take the requests first');
    } finally {
      stack.emulators.a.fail(null);
    }
  });

  it('holds a whole (not streamed) answer for timeouts.wholeAnswer, then moves it on too', async () => {
    stack.emulators.a.fail({ failure: { mode: 'hang' } });
    try {
      let movedOn = 0;
      for (let i = 0; i < 2; i++) {
        const started = Date.now();
        const res = await rawPost(`${stack.url}/api/chat`, { ...CHAT, stream: false });
        assert.equal(res.status, 200, res.text);
        assertFromBackend(stack, res.headers, undefined, 'b');
        if (res.headers['x-gateway-attempts'] === '2') {
          movedOn++;
          assert.ok(Date.now() - started >= 2000, 'a whole answer waits wholeAnswer, not firstByte');
        }
      }
      assert.equal(movedOn, 1, 'round robin sent one of the two to the hung server first');
    } finally {
      stack.emulators.a.fail(null);
    }
  });
});

describe('a backend that loads slowly (backends[].firstByteTimeout)', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      backends: [{ name: 'a', firstByteTimeout: '3s' }, { name: 'b' }],
      config: { strategy: 'round_robin', timeouts: { firstByte: '1s' }, health: { ...FAST_HEALTH, maxFails: 0 } },
    });
  });
  after(async () => stack?.stop());

  it('is waited for as long as its own setting says, in every group it belongs to', async () => {
    stack.emulators.a.fail({ failure: { mode: 'hang' } });
    try {
      let movedOn = 0;
      for (let i = 0; i < 2; i++) {
        const started = Date.now();
        const res = await rawPost(`${stack.url}/api/chat`, CHAT);
        assert.equal(res.status, 200, res.text);
        if (res.headers['x-gateway-attempts'] !== '2') continue;
        movedOn++;
        assert.ok(Date.now() - started >= 3000, `the group waited the slow member's 3 s, not 1 s (${Date.now() - started} ms)`);
      }
      assert.equal(movedOn, 1);
    } finally {
      stack.emulators.a.fail(null);
    }
  });
});

describe('busy and failing backends', () => {
  let stack: Stack;
  before(async () => {
    // The defaults that matter here: max_fails 1 (one counted failure benches a server), a long bench.
    stack = await startStack({ config: { strategy: 'round_robin', health: { ...FAST_HEALTH, maxFails: 1, failTimeout: '1m' } } });
  });
  after(async () => stack?.stop());

  it('"server busy" (503) moves the request on and does not take the busy server out of service', () => assertPassedOver(stack, 503));

  it('every server busy → 503 in the API shape with Retry-After, each server asked once', async () => {
    failAll(stack, { failure: { mode: 'status', status: 503 } });
    try {
      for (const { path, shape, body } of ROUTES) {
        resetAll(stack);
        const res = await rawPost(`${stack.url}${path}`, body);
        assertJsonError(res, shape, { status: 503, code: 'backend_busy', message: /busy/ });
        assert.ok(Number(res.headers['retry-after']) >= 1, 'Retry-After');
        assert.equal(res.headers['x-gateway-attempts'], '3', 'X-Gateway-Attempts counts the retries across groups');
        assert.deepEqual(Object.values(stack.emulators).map((e) => generations(e, path)), [1, 1, 1], `${path}: each server once`);
      }
    } finally {
      failAll(stack, null);
    }
  });

  it('a failed generation (500) is tried on one other server, never on all of them', async () => {
    failAll(stack, { failure: { mode: 'status', status: 500 } });
    try {
      for (const { path, shape, body } of ROUTES) {
        resetAll(stack);
        const res = await rawPost(`${stack.url}${path}`, body);
        assertJsonError(res, shape, { status: 502, code: 'backend_failed' });
        assert.doesNotMatch(res.text, /injected failure/, 'the gateway’s own message, in the client’s shape');
        const tries = Object.values(stack.emulators).map((e) => generations(e, path));
        assert.deepEqual([...tries].sort(), [0, 1, 1], `${path}: two servers tried (${tries})`);
      }
    } finally {
      failAll(stack, null);
    }
    // And the servers that failed are not benched: the fleet answers at once.
    for (let i = 0; i < 3; i++) assert.equal((await rawPost(`${stack.url}/v1/chat/completions`, CHAT)).status, 200);
  });

  it('one server failing a generation (500) → the next one answers; the failing one is not taken out', () => assertPassedOver(stack, 500));
});

describe('a broken proxy in front of a backend', () => {
  let stack: Stack;
  before(async () => {
    // maxFails 0: a 502 or 504 counts as a failure (the server is broken), which would bench it.
    stack = await startStack({ config: { health: { ...FAST_HEALTH, maxFails: 0 } } });
  });
  after(async () => stack?.stop());

  it('a backend’s own 502 or 504 moves the request on; when all answer so, JSON in the API shape', async () => {
    for (const status of [502, 504]) {
      failAll(stack, { failure: { mode: 'status', status } });
      try {
        for (const { path, shape, body } of ROUTES) {
          resetAll(stack);
          const res = await rawPost(`${stack.url}${path}`, body);
          assertJsonError(res, shape, { status, code: status === 502 ? 'backend_failed' : 'backend_timeout' });
          assert.deepEqual(Object.values(stack.emulators).map((e) => generations(e, path)), [1, 1, 1], `${path}: every server tried`);
        }
      } finally {
        failAll(stack, null);
      }
    }
  });
});

describe('whole answers checked by the output guard', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      config: { strategy: 'round_robin', health: { ...FAST_HEALTH, maxFails: 1, failTimeout: '1m' }, guard: { output: { toxicity: { enabled: true } } } },
    });
  });
  after(async () => stack?.stop());

  it('follow the same rules: busy and failing servers are passed over, the last answer is JSON', async () => {
    const { a } = stack.emulators;
    for (const status of [503, 500]) {
      a.fail({ failure: { mode: 'status', status } });
      try {
        for (let i = 0; i < 3; i++) {
          const res = await rawPost(`${stack.url}/v1/chat/completions`, CHAT);
          assert.equal(res.status, 200, res.text);
          assert.match(JSON.parse(res.text).choices[0].message.content, /^\[[bc]\]/);
        }
      } finally {
        a.fail(null);
      }
    }
    failAll(stack, { failure: { mode: 'status', status: 503 } });
    try {
      resetAll(stack);
      const res = await rawPost(`${stack.url}/v1/chat/completions`, CHAT);
      assertJsonError(res, 'openai', { status: 503, code: 'backend_busy' });
      assert.deepEqual(Object.values(stack.emulators).map((e) => generations(e, '/v1/chat/completions')), [1, 1, 1]);
    } finally {
      failAll(stack, null);
    }
  });
});
