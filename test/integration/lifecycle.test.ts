// The model lifecycle through real nginx, the sidecar and emulators that pull (300 ms) and load
// models: a backend that lacks a model of its pull list gets it and then serves it; a failing pull is
// retried and counted; models.replicas spreads a model to the emptiest backends and no further;
// keepLoaded models are loaded and loaded again when they go; `gateway fleet` lists what each backend
// has, loaded, in flight and queued, and pulls, unloads and deletes on request; nothing is deleted
// otherwise, not even when the config stops asking for a model.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { fleetTable } from '../../cli/fleet.ts';
import type { GatewayConfigInput } from '../../config/schema.ts';
import { readControlToken } from '../../sidecar/control-token.ts';
import type { FleetReport, ModelRow } from '../../sidecar/fleet/fleet-report.ts';
import { scrape, sum } from '../harness/metrics.ts';
import { postJson, startStack, waitFor, type Stack } from '../harness/stack.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const HOT = 'llama3.2:1b'; // everywhere; b keeps it loaded
const PULLED = 'qwen2.5:0.5b'; // backends[a].pull
const RETRIED = 'mistral:7b'; // backends[c].pull; c's first two pulls fail
const REPLICATED = 'gemma3:1b'; // models.replicas: 2
const EMBED = 'nomic-embed-text:latest';
const PHI = 'phi3:mini';

const CONFIG: Partial<GatewayConfigInput> = {
  guard: { input: { promptInjection: { enabled: false }, secrets: { enabled: false }, toxicity: { enabled: false } } },
  scheduling: { enabled: true },
  lifecycle: { retryAfter: '200ms', retryMax: '1s' },
  models: { replicas: { [REPLICATED]: 2 } },
};

async function listed(stack: Stack, backend: string, path: '/api/tags' | '/api/ps'): Promise<string[]> {
  const res = await fetch(`${stack.emulators[backend].url}${path}`);
  return ((await res.json()) as { models: { name: string }[] }).models.map((m) => m.name).sort();
}
const onDisk = (stack: Stack, backend: string) => listed(stack, backend, '/api/tags');
const inMemory = (stack: Stack, backend: string) => listed(stack, backend, '/api/ps');

async function control(stack: Stack, method: 'GET' | 'POST', path: string, body?: unknown, token = readControlToken(stack.dir)) {
  const res = await fetch(`http://127.0.0.1:${stack.gateway.config.sidecar.port}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

const cli = (stack: Stack, ...args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args, '--config', stack.configFile], { cwd: ROOT, timeout: 60_000 });

async function metric(stack: Stack, name: string, labels: Record<string, string>): Promise<number> {
  return sum(await scrape(stack.gateway.config.sidecar.port), name, labels);
}

/** Waits until `n` more probe rounds have ended (the lifecycle acts after each). */
async function rounds(stack: Stack, n: number): Promise<void> {
  const probes = () => metric(stack, 'llmgw_health_probe_duration_seconds_count', { backend: 'a' });
  const start = await probes();
  await waitFor(async () => (await probes()) >= start + n, 10_000, `${n} probe rounds`);
}

function row(report: FleetReport, backend: string, model: string): ModelRow {
  const found = report.backends.find((b) => b.name === backend)?.rows.find((r) => r.model === model);
  assert.ok(found, `${backend} has a row for ${model}: ${JSON.stringify(report)}`);
  return found;
}

describe('model lifecycle', () => {
  let stack: Stack;
  before(async () => {
    const store = { pullMs: 300, slots: 1 };
    stack = await startStack({
      backends: [
        { name: 'a', ...store, models: [HOT], pull: [PULLED] },
        { name: 'b', ...store, models: [HOT, EMBED], keepLoaded: [HOT] },
        // The fullest: models.replicas goes to a and b.
        { name: 'c', ...store, models: [HOT, EMBED, PHI], pull: [RETRIED], failure: { failure: { mode: 'status', status: 500, count: 2 }, paths: 'models' } },
      ],
      config: CONFIG,
    });
  });
  after(async () => stack?.stop());

  it('pulls a model of a backend\'s pull list that its disk lacks, and routes it there once pulled', async () => {
    await waitFor(async () => (await onDisk(stack, 'a')).includes(PULLED), 10_000, `a pulled ${PULLED}`);
    let answer: Awaited<ReturnType<typeof postJson>> | undefined;
    await waitFor(
      async () => {
        answer = await postJson(`${stack.url}/api/chat`, { model: PULLED, messages: [{ role: 'user', content: 'hi' }], stream: false, options: { num_predict: 2 } });
        return answer.status === 200;
      },
      10_000,
      `${PULLED} routed`,
    );
    assert.equal(answer!.headers.get('x-gateway-backend'), 'a');
    assert.equal(await metric(stack, 'llmgw_model_pulls_total', { backend: 'a', model: PULLED, result: 'success' }), 1);
    assert.deepEqual(stack.emulators.a.stats().pulls[PULLED], 1, 'pulled once');
  });

  it('retries a failing pull after a wait, and counts each failure', async () => {
    await waitFor(async () => (await onDisk(stack, 'c')).includes(RETRIED), 10_000, `c pulled ${RETRIED} after two failures`);
    assert.equal(await metric(stack, 'llmgw_model_pulls_total', { backend: 'c', model: RETRIED, result: 'failed' }), 2);
    assert.equal(await metric(stack, 'llmgw_model_pulls_total', { backend: 'c', model: RETRIED, result: 'success' }), 1);
  });

  it('spreads models.replicas to the backends with the fewest models, and no further', async () => {
    const holders = async () => {
      const out: string[] = [];
      for (const b of ['a', 'b', 'c']) if ((await onDisk(stack, b)).includes(REPLICATED)) out.push(b);
      return out;
    };
    await waitFor(async () => (await holders()).length === 2, 10_000, `${REPLICATED} on two backends`);
    await rounds(stack, 3);
    assert.deepEqual(await holders(), ['a', 'b']);
    const pulls = Object.values(stack.emulators).reduce((n, e) => n + (e.stats().pulls[REPLICATED] ?? 0), 0);
    assert.equal(pulls, 2);
  });

  it('keeps keepLoaded models in memory, and loads them again when they go', async () => {
    await waitFor(async () => (await inMemory(stack, 'b')).includes(HOT), 10_000, `b loaded ${HOT}`);
    const loads = () => metric(stack, 'llmgw_model_loads_total', { backend: 'b', model: HOT, result: 'success' });
    const before = await loads();
    assert.ok(before >= 1);
    const unloaded = await control(stack, 'POST', '/control/unload', { backend: 'b', model: HOT });
    assert.equal(unloaded.status, 200, JSON.stringify(unloaded.body));
    assert.match(unloaded.body.note, /keepLoaded/);
    await waitFor(async () => (await loads()) === before + 1, 10_000, 'a second load');
    await waitFor(async () => (await inMemory(stack, 'b')).includes(HOT), 10_000, `b has ${HOT} in memory again`);
  });

  it('`gateway fleet --json` lists per backend and model: on disk, loaded, in flight, queued, what the config wants', async () => {
    // a has one slot: one long stream of PULLED runs there, a second waits in the gateway's queue.
    stack.emulators.a.setDelay(50);
    const leave = new AbortController();
    const slow = () =>
      fetch(`${stack.url}/api/chat`, {
        method: 'POST',
        body: JSON.stringify({ model: PULLED, messages: [{ role: 'user', content: 'hi' }], options: { num_predict: 400 } }),
        signal: leave.signal,
      }).catch(() => undefined);
    const streams = [slow(), slow()];
    try {
      await waitFor(
        async () => {
          const r = row((await control(stack, 'GET', '/control/fleet')).body, 'a', PULLED);
          return r.inFlight === 1 && r.queued === 1;
        },
        10_000,
        'one in flight and one queued',
      );
      const report = JSON.parse((await cli(stack, 'fleet', '--json')).stdout) as FleetReport;
      assert.equal(report.scheduling, true);
      assert.deepEqual(row(report, 'a', PULLED), {
        model: PULLED,
        onDisk: true,
        loaded: true,
        inFlight: 1,
        queued: 1,
        wanted: ['pull'],
        pull: null,
        lastPull: row(report, 'a', PULLED).lastPull,
        loading: false,
      });
      assert.equal(row(report, 'a', PULLED).lastPull?.result, 'success');
      assert.deepEqual([row(report, 'b', HOT).onDisk, row(report, 'b', HOT).loaded, row(report, 'b', HOT).wanted], [true, true, ['keepLoaded']]);
      assert.deepEqual(row(report, 'a', REPLICATED).wanted, ['replicas']);
      assert.deepEqual([row(report, 'c', PHI).onDisk, row(report, 'c', PHI).loaded, row(report, 'c', PHI).inFlight], [true, false, 0]);
      const table = fleetTable(report);
      assert.match(table, /^backend +model +on disk +loaded +in flight +queued +config +pull$/m);
      assert.match(table, new RegExp(`^a +${PULLED.replace('.', '\\.')} +yes +yes +1 +1 +pull +pulled$`, 'm'));
    } finally {
      leave.abort();
      await Promise.all(streams);
      stack.emulators.a.setDelay(0);
    }
  });

  it('pulls on request, through the CLI (watching its progress) and the control API', async () => {
    const run = await cli(stack, 'fleet', 'pull', 'b', 'smollm2:135m');
    assert.match(run.stdout, /b: pulled smollm2:135m/);
    assert.ok((await onDisk(stack, 'b')).includes('smollm2:135m'));

    const asked = await control(stack, 'POST', '/control/pull', { backend: 'c', model: PULLED });
    assert.equal(asked.status, 202, JSON.stringify(asked.body));
    assert.match(asked.body.state, /^(pulling|queued)$/);
    await waitFor(async () => (await onDisk(stack, 'c')).includes(PULLED), 10_000, `c pulled ${PULLED}`);
    assert.equal(await metric(stack, 'llmgw_model_pulls_total', { backend: 'c', model: PULLED, result: 'success' }), 1);
  });

  it('unloads on request', async () => {
    const load = await fetch(`${stack.emulators.c.url}/api/generate`, { method: 'POST', body: JSON.stringify({ model: PHI, keep_alive: -1 }) });
    assert.equal(load.status, 200);
    assert.ok((await inMemory(stack, 'c')).includes(PHI));
    const unloaded = await control(stack, 'POST', '/control/unload', { backend: 'c', model: PHI });
    assert.deepEqual(unloaded, { status: 200, body: { backend: 'c', model: PHI } });
    assert.ok(!(await inMemory(stack, 'c')).includes(PHI));
    assert.ok((await onDisk(stack, 'c')).includes(PHI), 'its files stay');
  });

  it('refuses control requests without the token, for unknown backends and with bad names', async () => {
    assert.equal((await control(stack, 'GET', '/control/fleet', undefined, 'wrong')).status, 401);
    assert.equal((await control(stack, 'POST', '/control/delete', { backend: 'a', model: HOT }, 'wrong')).status, 401);
    const unknown = await control(stack, 'POST', '/control/pull', { backend: 'zz', model: HOT });
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.error, /no backend "zz"/);
    assert.equal((await control(stack, 'POST', '/control/pull', { backend: 'a', model: 'bad name"' })).status, 400);
    const missing = await control(stack, 'POST', '/control/delete', { backend: 'a', model: 'never-pulled:1b' });
    assert.equal(missing.status, 404, JSON.stringify(missing.body));
  });

  it('deletes nothing unless asked, not even what the config stops asking for; deletes when asked', async () => {
    const refused = await control(stack, 'POST', '/control/delete', { backend: 'a', model: PULLED });
    assert.equal(refused.status, 409);
    assert.match(refused.body.error, /backends\[a\]\.pull lists/);

    // The config no longer asks for any model.
    const backends = stack.gateway.config.backends.map((b) => ({ name: b.name, url: b.url, slots: b.slots }));
    stack.writeConfig({ ...CONFIG, models: {}, backends });
    await stack.gateway.reloadConfig();
    assert.deepEqual(stack.gateway.config.backends.map((b) => b.pull.length + b.keepLoaded.length), [0, 0, 0]);
    await rounds(stack, 3);
    const expected = {
      a: [HOT, PULLED, REPLICATED],
      b: [HOT, EMBED, REPLICATED, 'smollm2:135m'],
      c: [HOT, EMBED, PHI, RETRIED, PULLED],
    };
    for (const [name, models] of Object.entries(expected)) assert.deepEqual(await onDisk(stack, name), models.sort(), `${name} keeps every model`);

    const deleted = await control(stack, 'POST', '/control/delete', { backend: 'a', model: PULLED });
    assert.deepEqual(deleted, { status: 200, body: { backend: 'a', model: PULLED } });
    assert.deepEqual(await onDisk(stack, 'a'), [HOT, REPLICATED].sort());
    await rounds(stack, 2);
    assert.deepEqual(await onDisk(stack, 'a'), [HOT, REPLICATED].sort(), 'not pulled again');
  });
});

describe('model lifecycle with scheduling off', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ backends: [{ name: 'a', pullMs: 300, models: [HOT], pull: [PULLED], keepLoaded: [PULLED] }], config: { admission: { enabled: false } } });
  });
  after(async () => stack?.stop());

  it('pulls, then keeps loaded (the sidecar reads /api/ps itself), and reports in flight and queued as n/a', async () => {
    await waitFor(async () => (await inMemory(stack, 'a')).includes(PULLED), 10_000, `a pulled and loaded ${PULLED}`);
    const { status, body } = await control(stack, 'GET', '/control/fleet');
    assert.equal(status, 200);
    const report = body as FleetReport;
    assert.equal(report.scheduling, false);
    assert.deepEqual(row(report, 'a', PULLED), {
      model: PULLED,
      onDisk: true,
      loaded: true,
      inFlight: null,
      queued: null,
      wanted: ['pull'],
      pull: null,
      lastPull: row(report, 'a', PULLED).lastPull,
      loading: false,
    });
    assert.deepEqual([row(report, 'a', HOT).loaded, row(report, 'a', HOT).wanted], [false, []]);
    assert.match(fleetTable(report), /^a +llama3\.2:1b +yes +no +n\/a +n\/a +- +-$/m);
    assert.match(fleetTable(report), /n\/a while scheduling is off/);
  });
});
