// Reloads through the real gateway: config reloads and raw `nginx -s reload` under steady traffic
// with long streams lose no request and cut no stream; a bad config never replaces the running one.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ollama } from 'ollama';
import type { GatewayConfigInput } from '../../config/schema.ts';
import { ConfigError } from '../../config/load.ts';
import { NginxConfError } from '../../nginx/control.ts';
import { startStack, waitFor, type Stack } from '../harness/stack.ts';
import { chatOnce, childPids, countBy, failures, fetchOnce, HttpsClient, liveWorkers, requestFresh, runLoop, sleep, type Kind, type Outcome } from '../harness/load.ts';

const GENERATION_PATHS = ['/v1/chat/completions', '/api/chat'];

function generationsSeen(stack: Stack): number {
  let n = 0;
  for (const e of Object.values(stack.emulators)) for (const p of GENERATION_PATHS) n += e.stats().byPath[p] ?? 0;
  return n;
}

function backends(stack: Stack, weights: Record<string, number> = {}): GatewayConfigInput['backends'] {
  return Object.values(stack.emulators).map((e) => ({ name: e.name, url: e.url, weight: weights[e.name] ?? 1 }));
}

function confFiles(stack: Stack): Record<string, string> {
  const dir = join(stack.dir, 'conf');
  return { 'nginx.conf': readFileSync(join(dir, 'nginx.conf'), 'utf8'), 'fleet.conf': readFileSync(join(dir, 'fleet.conf'), 'utf8') };
}

describe('reloads under traffic', () => {
  let stack: Stack;
  before(async () => {
    // 50 ms per token: a 20-token stream lasts ~1 s, a 4-token reply waits ~200 ms.
    stack = await startStack({ backends: ['a', 'b', 'c'].map((name) => ({ name, tokenDelayMs: 50 })) });
  });
  after(async () => stack?.stop());

  it('lose no request and cut no stream across 10 reloads (config and raw)', async () => {
    const STREAM_TOKENS = 20;
    const MAX_SOCKETS = 16;
    // Two kinds of client at once: one reuses connections (as SDKs do), one opens a connection
    // per request. See HttpsClient for the one failure a reused connection must expect.
    const pooled = new HttpsClient(stack.url, { keepAlive: true, maxSockets: MAX_SOCKETS });
    const fresh = new HttpsClient(stack.url, { keepAlive: false });
    const master = stack.gateway.nginx!.pid!;
    const syncReloadsBefore = stack.gateway.sync.reloads;
    for (const e of Object.values(stack.emulators)) e.resetStats();
    const kinds: Kind[] = ['v1-stream', 'api-stream', 'v1-chat', 'api-chat'];
    const t0 = Date.now();
    const reloadsAt: number[] = [];
    let stop = false;

    const reloader = (async () => {
      await sleep(800); // traffic first, so streams are in flight at the first reload
      for (let i = 0; i < 10; i++) {
        if (i % 2 === 0) {
          // (a) config reload: a's weight changes every time, so the rendered conf does too.
          stack.writeConfig({ backends: backends(stack, { a: 2 + i }) });
          const r = await stack.gateway.reloadConfig();
          assert.equal(r.changed, true, `config reload ${i} changed the conf`);
        } else {
          // (b) raw `nginx -s reload` of the same conf.
          await stack.gateway.control.reload();
        }
        reloadsAt.push(Date.now() - t0);
        await sleep(400);
      }
      await sleep(600);
      stop = true;
    })();

    type Timed = Outcome & { start: number; end: number; client: string };
    const drive = (client: HttpsClient, name: string, concurrency: number) =>
      runLoop({
        concurrency,
        max: 5_000,
        deadlineMs: 40_000,
        stop: () => stop,
        task: async (i): Promise<Timed> => {
          const kind = kinds[i % kinds.length];
          const start = Date.now() - t0;
          const o = await client.send(kind, kind.endsWith('stream') ? STREAM_TOKENS : 4);
          return { ...o, start, end: Date.now() - t0, client: name };
        },
      });
    const [viaPooled, viaFresh] = await Promise.all([drive(pooled, 'pooled', 8), drive(fresh, 'fresh', 4)]);
    await reloader;
    pooled.close();
    fresh.close();

    const outcomes = [...viaPooled, ...viaFresh];
    const streams = outcomes.filter((o) => o.kind.endsWith('stream'));
    // Streams that were running when nginx was told to reload: their old worker had to finish them.
    const spanning = streams.filter((o) => reloadsAt.some((t) => o.start < t - 50 && o.end > t));
    const bad = failures(outcomes);
    const seen = generationsSeen(stack);
    const byKind = Object.fromEntries(kinds.map((k) => [k, outcomes.filter((o) => o.kind === k).length]));
    console.log(
      `reloads at ${reloadsAt.join(', ')} ms: ${outcomes.length} requests (${viaPooled.length} pooled, ${viaFresh.length} fresh) ` +
        `${JSON.stringify(byKind)}, ${bad.length} failed, ${spanning.length} streams spanned a reload; pooled client: ` +
        `${pooled.raced} of ${pooled.attempts} attempts met a connection closed by a reload ${JSON.stringify(pooled.raceErrors)}; ` +
        `backends saw ${seen} generations, served ${JSON.stringify(countBy(outcomes))}`,
    );

    assert.equal(reloadsAt.length, 10);
    assert.ok(stack.gateway.sync.reloads - syncReloadsBefore >= 5, 'each config reload reloaded nginx');
    assert.ok(spanning.length >= 10, `only ${spanning.length} streams were in flight across a reload`);
    assert.ok(viaFresh.filter((o) => o.kind.endsWith('stream')).some((o) => spanning.includes(o)), 'fresh-connection streams spanned reloads too');
    // Every request answered 200 and every stream complete: all its tokens, then [DONE] / done:true.
    // The fresh-connection client never retries, so for it this is strictly zero failed attempts.
    assert.deepEqual(bad, []);
    assert.equal(fresh.raced, 0);
    assert.equal(fresh.attempts, viaFresh.length);
    for (const s of streams) assert.equal(s.tokens, STREAM_TOKENS);
    // Nothing lost and nothing sent twice: each request reached exactly one backend once; the
    // pooled client's raced attempts never reached any.
    assert.equal(seen, outcomes.length);
    // Each connection an old worker closes can cost one attempt at most.
    assert.ok(pooled.raced <= reloadsAt.length * MAX_SOCKETS, `${pooled.raced} raced attempts`);

    // The old workers finished their streams and exited (they were not left behind, nor cut at
    // worker_shutdown_timeout): one worker remains, running the last conf.
    await waitFor(() => childPids(master).length === 1, 5000, 'old nginx workers to exit');
    assert.match(confFiles(stack)['fleet.conf'], /weight=10 /);
  });
});

describe('a bad config never replaces the running one', () => {
  let stack: Stack;
  let good: Record<string, string>;
  before(async () => {
    stack = await startStack();
    good = confFiles(stack);
  });
  after(async () => stack?.stop());

  // No reload happened: fetch's pooled connections (kept from before) must all still work.
  async function stillServing(): Promise<void> {
    const out = await runLoop({ concurrency: 3, max: 9, task: () => chatOnce(stack.url) });
    assert.deepEqual(failures(out), []);
    const stream = await fetchOnce(stack.url, 'v1-stream', 5);
    assert.equal(stream.error, undefined);
    const ollama = new Ollama({ host: stack.url });
    const res = await ollama.chat({ model: 'llama3.2:1b', messages: [{ role: 'user', content: 'hi' }] });
    assert.match(res.message.content, /^\[(a|b|c)\] /);
    assert.deepEqual(confFiles(stack), good, 'the rendered conf is unchanged');
  }

  it('rejects a config that fails validation, naming the key', async () => {
    stack.writeConfig({ health: { interval: 'soon' } });
    await assert.rejects(stack.gateway.reloadConfig(), (err: Error) => {
      assert.ok(err instanceof ConfigError, `${err.name}: ${err.message}`);
      assert.match(err.message, /health\.interval: expected a duration/);
      return true;
    });
    assert.equal(stack.gateway.config.health.interval, 200, 'the running config stays');
    await stillServing();
  });

  it('rejects a config that passes validation but fails nginx -t, and keeps the running conf', async () => {
    // Valid for the schema (any string), but nginx cannot resolve it for `listen`.
    stack.writeConfig({ listen: { address: 'no-such-host.invalid' } });
    await assert.rejects(stack.gateway.reloadConfig(), (err: Error) => {
      assert.ok(err instanceof NginxConfError, `${err.name}: ${err.message}`);
      assert.match(err.message, /host not found in "no-such-host\.invalid:\d+" of the "listen" directive/);
      return true;
    });
    assert.equal(stack.gateway.config.listen.address, '127.0.0.1', 'the running config stays');
    await stillServing();
  });

  it('takes a backend whose host does not resolve as down, which is no conf error', async () => {
    // A backend's hostname is resolved by nginx only while the backend is in an upstream group, and
    // it joins one only once its probes pass: so this is not a way to make nginx -t fail.
    stack.writeConfig({ backends: [...backends(stack), { name: 'd', url: 'http://no-such-host.invalid:11434' }] });
    await stack.gateway.reloadConfig();
    // nginx was reloaded: fresh connections (see HttpsClient for what a pooled one may meet).
    const ready = (await requestFresh(`${stack.url}/readyz`)).json as { down: string[] };
    assert.deepEqual(ready.down, ['d']);
    assert.doesNotMatch(confFiles(stack)['fleet.conf'], /server no-such-host/);
    const fresh = new HttpsClient(stack.url, { keepAlive: false });
    const out = await runLoop({ concurrency: 3, max: 9, task: () => fresh.send('v1-chat') });
    assert.deepEqual(failures(out), []);
  });

  it('a reload with nothing changed, and probe rounds that change nothing, leave nginx alone', async () => {
    const master = stack.gateway.nginx!.pid!;
    const workers = liveWorkers(master).sort();
    const reloads = stack.gateway.sync.reloads;
    const r = await stack.gateway.reloadConfig();
    assert.equal(r.changed, false, 'the same config renders the same conf');
    // A few probe rounds of a healthy fleet (FAST_HEALTH: every 200 ms).
    const probes = () => Object.values(stack.emulators).reduce((n, e) => n + (e.stats().byPath['/api/tags'] ?? 0), 0);
    const before = probes();
    await waitFor(() => probes() >= before + 3 * Object.keys(stack.emulators).length, 10_000, 'three probe rounds');
    assert.equal(stack.gateway.sync.reloads, reloads, 'no reload');
    assert.deepEqual(liveWorkers(master).sort(), workers, 'the same nginx workers serve');
  });

  it('applies a good config after the rejected ones', async () => {
    stack.writeConfig({ backends: backends(stack, { b: 7 }) });
    const r = await stack.gateway.reloadConfig();
    assert.equal(r.changed, true);
    assert.match(confFiles(stack)['fleet.conf'], /weight=7 /);
    assert.equal(stack.gateway.config.backends.find((b) => b.name === 'b')?.weight, 7);
    const fresh = new HttpsClient(stack.url, { keepAlive: false });
    const out = await runLoop({ concurrency: 3, max: 9, task: () => fresh.send('v1-chat') });
    assert.deepEqual(failures(out), []);
  });
});
