// Resilience through the real gateway: a backend that crashes mid-run costs no request, one that
// comes back is used again once healthy, and model inventory changes reach the routing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { postJson, startStack, waitFor, type Stack } from '../harness/stack.ts';
import { chatOnce, countBy, failures, HttpsClient, liveWorkers, requestFresh, runLoop, waitForNewWorkers, type Outcome } from '../harness/load.ts';

const DEFAULT_MODELS = ['llama3.2:1b', 'qwen2.5:0.5b', 'nomic-embed-text'];

// Traffic right after a reload goes on connections of its own: a pooled one may be closing with
// the old worker (the race HttpsClient describes, measured in the kill test and reload.test.ts).
async function readyz(stack: Stack): Promise<{ ready: boolean; healthy: string[]; down: string[] }> {
  return (await requestFresh(`${stack.url}/readyz`)).json;
}

function fleetConf(stack: Stack): string {
  return readFileSync(join(stack.dir, 'conf', 'fleet.conf'), 'utf8');
}

/** The server lines of every upstream group in the running conf that point at this emulator. */
function serverLines(stack: Stack, name: string): string[] {
  const addr = `127.0.0.1:${stack.emulators[name].port} `;
  return fleetConf(stack)
    .split('\n')
    .filter((l) => l.trim().startsWith('server ') && l.includes(addr));
}

describe('backend killed mid-run', () => {
  let stack: Stack;
  before(async () => {
    // 20 ms per token, 4 tokens: a non-streamed reply waits ~80 ms before its single write, so
    // at concurrency 8 the one that gets killed usually has requests in flight.
    stack = await startStack({ backends: ['a', 'b', 'c'].map((name) => ({ name, tokenDelayMs: 20 })) });
  });
  after(async () => stack?.stop());

  it('costs zero failed non-streamed requests', async () => {
    const b = stack.emulators.b;
    // maxSockets = concurrency: the client's pool never holds more connections than workers.
    const client = new HttpsClient(stack.url, { keepAlive: true, maxSockets: 8 });
    const reloadsBefore = stack.gateway.sync.reloads;
    for (const e of Object.values(stack.emulators)) e.resetStats();
    let stop = false;
    let inFlightAtKill = -1;
    let deadAt = Infinity;
    const outcomes: (Outcome & { at: number })[] = [];
    const started = Date.now();
    const killer = (async () => {
      // Steady traffic on every backend first.
      await waitFor(() => ['a', 'b', 'c'].every((n) => (countBy(outcomes)[n] ?? 0) >= 10), 10_000, 'traffic on every backend');
      // Strike while b is mid-reply on at least two requests; read and kill in the same tick:
      // these are exactly the requests whose sockets get reset.
      await waitFor(() => b.stats().inFlight >= 2, 5000, 'two requests in flight on b');
      inFlightAtKill = b.stats().inFlight;
      await b.kill();
      deadAt = Date.now() - started;
      // Keep going through the sidecar noticing (2 failed probes at 200 ms), the nginx reload, and after it.
      await waitFor(() => stack.gateway.sync.reloads > reloadsBefore, 10_000, 'the reload without b');
      const atReload = outcomes.length;
      await waitFor(() => outcomes.length >= atReload + 100, 10_000, 'traffic after the reload');
      stop = true;
    })();
    await runLoop({
      concurrency: 8,
      max: 5000,
      deadlineMs: 30_000,
      stop: () => stop,
      task: async () => {
        const at = Date.now() - started;
        const o = await client.send('v1-chat');
        outcomes.push({ ...o, at });
        return o;
      },
    });
    await killer;
    client.close();
    const bad = failures(outcomes);
    const ok = outcomes.length - bad.length;
    const afterKill = outcomes.filter((o) => o.at > deadAt);
    const reloads = stack.gateway.sync.reloads - reloadsBefore;
    const seen = Object.values(stack.emulators).reduce((n, e) => n + (e.stats().byPath['/v1/chat/completions'] ?? 0), 0);
    console.log(
      `kill mid-run: ${outcomes.length} requests, ${bad.length} failed, ${inFlightAtKill} in flight on b at the kill, ` +
        `served ${JSON.stringify(countBy(outcomes))}, after the kill ${JSON.stringify(countBy(afterKill))}; ` +
        `${reloads} nginx reload(s) followed; ${client.raced} attempt(s) met a keep-alive connection closed by it; ` +
        `backends saw ${seen} generations for ${ok} answers`,
    );
    assert.ok(inFlightAtKill >= 2, 'the kill must hit requests in flight on b');
    assert.ok(outcomes.length > 100, `too little traffic to mean anything: ${outcomes.length}`);
    // Every request got a complete 200 from a live backend: nginx moved the reset ones over.
    assert.deepEqual(bad, []);
    assert.ok((countBy(outcomes).b ?? 0) > 0, 'b served before it was killed');
    assert.equal(countBy(afterKill).b, undefined, 'nothing sent after the kill was served by b');
    // Only the requests b dropped were sent twice (nginx's retry); nothing else reached two backends.
    assert.ok(seen - ok >= 0 && seen - ok <= inFlightAtKill, `backends saw ${seen} generations for ${ok} answers`);
    // The kill itself costs no client attempt. The reload that takes b out of the groups (the
    // sidecar's, once 2 probes failed) closes the old worker's keep-alive connections: that can
    // cost an attempt written onto one as it closes (retried by HttpsClient, see there), at most
    // one per pooled connection, and none of them reached a backend (above).
    assert.ok(reloads >= 1, 'the sidecar reloaded nginx without b');
    assert.ok(client.raced <= reloads * 8, `${client.raced} raced attempts for ${reloads} reloads`);
    assert.equal((await readyz(stack)).down.join(), 'b');
  });
});

describe('backend that comes back', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => stack?.stop());

  it('is taken out when down and used again after the healthy threshold', async () => {
    const c = stack.emulators.c;
    const master = stack.gateway.nginx!.pid!;
    assert.equal(serverLines(stack, 'c').length > 0, true, 'c starts in the upstream groups');
    let workers = liveWorkers(master);
    await c.kill();
    await waitFor(async () => (await readyz(stack)).down.includes('c'), 5000, 'c listed down in /readyz');
    await waitFor(() => serverLines(stack, 'c').length === 0, 5000, 'c gone from the upstream groups');
    await waitForNewWorkers(master, workers);
    // While c is down, the others answer everything.
    const fresh = new HttpsClient(stack.url, { keepAlive: false });
    const whileDown = await runLoop({ concurrency: 2, max: 20, task: () => fresh.send('v1-chat') });
    assert.deepEqual(failures(whileDown), []);
    assert.equal(countBy(whileDown).c, undefined);

    workers = liveWorkers(master);
    await c.restart();
    const back = Date.now();
    await waitFor(async () => !(await readyz(stack)).down.includes('c'), 5000, 'c healthy again in /readyz');
    const healthyAfterMs = Date.now() - back;
    // healthyAfter: 2 probes at 200 ms: not before the second good probe.
    assert.ok(healthyAfterMs >= 150, `c came back after ${healthyAfterMs} ms, before 2 probes`);
    await waitFor(() => serverLines(stack, 'c').length > 0, 5000, 'c back in the upstream groups');
    await waitForNewWorkers(master, workers);

    for (const e of Object.values(stack.emulators)) e.resetStats();
    const again = await runLoop({ concurrency: 1, max: 30, task: () => fresh.send('v1-chat') });
    assert.deepEqual(failures(again), []);
    const split = countBy(again);
    console.log(`back after ${healthyAfterMs} ms; then 30 sequential requests: ${JSON.stringify(split)}`);
    // least_conn with no request in flight elsewhere takes turns: c gets its third, about 10.
    assert.ok((split.c ?? 0) >= 7, `c served ${split.c ?? 0} of 30`);
    assert.equal(c.stats().byPath['/v1/chat/completions'], split.c);
  });
});

describe('model inventory', () => {
  let stack: Stack;
  let client: OpenAI;
  before(async () => {
    stack = await startStack();
    client = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  after(async () => stack?.stop());

  // undefined when the request failed (a pooled connection closing with a reload): the waits poll again.
  const listed = async (id: string) => {
    try {
      return (await client.models.list()).data.some((m) => m.id === id);
    } catch {
      return undefined;
    }
  };

  it('routes a model a backend gains to it, and 404s it once it is gone', async () => {
    const model = 'mistral:7b';
    const first = await postJson(`${stack.url}/v1/chat/completions`, { model, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(first.status, 404, 'unknown before any backend has it');

    const master = stack.gateway.nginx!.pid!;
    let workers = liveWorkers(master);
    stack.emulators.b.setModels([...DEFAULT_MODELS, model]);
    // The next probe sees it, the sidecar re-renders and reloads nginx.
    await waitFor(async () => (await listed(model)) === true, 5000, `${model} in /v1/models`);
    await waitForNewWorkers(master, workers);
    const fresh = new HttpsClient(stack.url, { keepAlive: false });
    const served = await runLoop({ concurrency: 2, max: 12, task: () => fresh.send('v1-chat', 4, model) });
    assert.deepEqual(failures(served), []);
    assert.deepEqual(countBy(served), { b: 12 });
    // The native API routes it too.
    const native = await fresh.send('api-chat', 4, model);
    assert.equal(native.error, undefined);
    assert.equal(native.backend, 'b');

    workers = liveWorkers(master);
    stack.emulators.b.setModels(DEFAULT_MODELS);
    await waitFor(async () => (await listed(model)) === false, 5000, `${model} gone from /v1/models`);
    // Until nginx runs the new conf, b itself would answer 404 (its own "not found, try pulling
    // it"); from then on the gateway answers, without asking any backend.
    await waitForNewWorkers(master, workers);
    const gone = await requestFresh(`${stack.url}/v1/chat/completions`, { model, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(gone.status, 404);
    assert.equal(gone.json.error.code, 'model_not_found');
    assert.equal(gone.headers['x-gateway-backend'], undefined, 'answered by the gateway, not a backend');
    // The error lists what is available instead.
    assert.match(gone.json.error.message, /llama3\.2:1b/);
  });

  it('routes a model elsewhere once one of its two backends drops it', async () => {
    const model = 'phi3:mini';
    stack.emulators.a.setModels([...DEFAULT_MODELS, model]);
    stack.emulators.c.setModels([...DEFAULT_MODELS, model]);
    await waitFor(async () => {
      const o = await runLoop({ concurrency: 1, max: 4, task: () => chatOnce(stack.url, model) });
      return failures(o).length === 0 && Object.keys(countBy(o)).sort().join() === 'a,c';
    }, 5000, `${model} served by a and c`);

    const master = stack.gateway.nginx!.pid!;
    const workers = liveWorkers(master);
    stack.emulators.c.setModels(DEFAULT_MODELS);
    // The next probe sees the change, the sidecar re-renders and reloads.
    await waitFor(() => /"phi3:mini" "gw\.a";/.test(fleetConf(stack)), 5000, `${model} routed to gw.a in the conf`);
    await waitForNewWorkers(master, workers);
    const fresh = new HttpsClient(stack.url, { keepAlive: false });
    const rest = await runLoop({ concurrency: 2, max: 12, task: () => fresh.send('v1-chat', 4, model) });
    assert.deepEqual(failures(rest), []);
    assert.deepEqual(countBy(rest), { a: 12 });
    assert.equal(await listed(model), true);
  });
});
