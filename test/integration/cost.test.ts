// Cost through the real gateway: token prices applied to the usage Ollama and OpenAI-style answers
// report (cached prompt tokens at their own price), a local backend charged its GPU time, a budget
// that stops a key mid-day (a stream that overshoots completes and is charged) and lets it in again
// the next day, and spend that survives a restart (budgets rebuilt from the ledger, `gateway usage`).
// The sidecar's clock is the test's: days pass without sleeping.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { hashSecret, newSecret } from '../../cli/keys.ts';
import { localize } from '../../core/i18n/messages.ts';
import { readLedger, type LedgerEntry } from '../../sidecar/cost/ledger.ts';
import type { CompletionRecord } from '../../sidecar/telemetry/completion-record.ts';
import { accessLogLine } from '../harness/access-log.ts';
import { ndjson, rawPost } from '../harness/gateway-client.ts';
import { scrape, sum } from '../harness/metrics.ts';
import { startStack, waitFor, type Stack } from '../harness/stack.ts';

const HOSTED_MODEL = 'llama3.2:1b';
const LOCAL_MODEL = 'qwen2.5:0.5b';
const DAY = 86_400_000;
const NOON = Date.parse('2026-06-15T12:00:00Z');
// Per token: $0.10 of prompt, $0.05 of cached prompt, $0.20 of completion; the GPU box $1 a second.
const PRICE = { input: 100_000, output: 200_000, cachedInput: 50_000 };
const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-8, `${what}: ${a} ≈ ${b}`);
/** The spend_usd field of the request's line in nginx's access log. */
const loggedSpend = async (stack: Stack, requestId: string) => (await accessLogLine(stack, requestId)).spend_usd as string;

describe('cost', () => {
  const secrets = { priced: newSecret(), budget: newSecret() };
  let now = NOON;
  let stack: Stack;
  let n = 0;
  before(async () => {
    stack = await startStack({
      backends: [
        { name: 'hosted', models: [HOSTED_MODEL] },
        { name: 'gpu', models: [LOCAL_MODEL], tokenDelayMs: 20 },
      ],
      clock: () => now,
      config: {
        auth: { enabled: true, keys: [{ id: 'priced', hash: hashSecret(secrets.priced) }, { id: 'budget', hash: hashSecret(secrets.budget) }] },
        // The local model's token prices are a hosted provider's for comparable work.
        cost: { prices: { [HOSTED_MODEL]: PRICE, [LOCAL_MODEL]: { input: 1_000_000, output: 1_000_000 } }, gpuHourUsd: { gpu: 3600 }, budgets: { budget: { dailyUsd: 2.5, monthlyUsd: 100 } }, alertAt: 0.8 },
      },
    });
  });
  after(async () => stack?.stop());

  const ledger = () => readLedger(join(stack.dir, 'usage'), NOON - 2 * DAY, NOON + 2 * DAY);
  const entryOf = (rec: CompletionRecord): LedgerEntry => {
    const e = ledger().find((x) => x.id === rec.requestId);
    assert.ok(e, `the ledger has ${rec.requestId}`);
    return e;
  };

  /** Sends with the key and a fresh request id; waits until the sidecar has priced the request. */
  async function settled(key: keyof typeof secrets, path: string, body: unknown, headers: Record<string, string> = {}) {
    const id = `cost-request-${++n}`;
    let record: CompletionRecord | undefined;
    const on = (rec: CompletionRecord) => {
      if (rec.clientRequestId === id) record = rec;
    };
    stack.gateway.telemetry.on('completion', on);
    try {
      const res = await rawPost(`${stack.url}${path}`, body, { Authorization: `Bearer ${secrets[key]}`, 'X-Request-Id': id, ...headers });
      await waitFor(() => record !== undefined, 5000, `the completion record of ${id}`);
      return { res, record: record! };
    } finally {
      stack.gateway.telemetry.off('completion', on);
    }
  }
  const chat = (model: string, stream = false) => ({ model, stream, messages: [{ role: 'user', content: 'hello there' }] });

  it('prices Ollama usage and OpenAI-style usage (cached prompt tokens at their own price) at the model prices', async () => {
    const before = sum(await scrape(stack.gateway.config.sidecar.port), 'llmgw_spend_usd_total', { key: 'priced', backend: 'hosted', kind: 'hosted' });
    const ollama = await settled('priced', '/api/chat', chat(HOSTED_MODEL));
    assert.equal(ollama.res.status, 200, ollama.res.text);
    const o = ollama.record;
    assert.ok(o.promptTokens! > 0 && o.completionTokens! > 0, 'Ollama reported its counts');
    const oEntry = entryOf(o);
    assert.equal(oEntry.kind, 'hosted');
    close(oEntry.usd, o.promptTokens! * 0.1 + o.completionTokens! * 0.2, 'Ollama answer');

    const openai = await settled('priced', '/v1/chat/completions', { ...chat(HOSTED_MODEL), prompt_cache_key: 'conversation-1' });
    assert.equal(openai.res.status, 200, openai.res.text);
    const a = openai.record;
    assert.ok(a.cachedTokens! > 0, 'the provider served part of the prompt from its cache');
    const aEntry = entryOf(a);
    assert.equal(aEntry.cached, a.cachedTokens);
    close(aEntry.usd, (a.promptTokens! - a.cachedTokens!) * 0.1 + a.cachedTokens! * 0.05 + a.completionTokens! * 0.2, 'OpenAI answer');

    const after = sum(await scrape(stack.gateway.config.sidecar.port), 'llmgw_spend_usd_total', { key: 'priced', backend: 'hosted', kind: 'hosted' });
    close(after - before, oEntry.usd + aEntry.usd, 'the spend metric');
    close(Number(await loggedSpend(stack, o.requestId)), oEntry.usd, 'the access log (Ollama)');
    close(Number(await loggedSpend(stack, a.requestId)), aEntry.usd, 'the access log (OpenAI)');
  });

  it('charges a local backend its GPU-hour price for the time the request held it, and says what the same tokens would cost hosted', async () => {
    const { res, record } = await settled('priced', '/api/generate', { model: LOCAL_MODEL, prompt: 'hi', stream: false });
    assert.equal(res.status, 200, res.text);
    assert.ok(record.backendSeconds! > 0.1, 'eight tokens 20 ms apart');
    const e = entryOf(record);
    assert.equal(e.kind, 'local');
    close(e.usd, record.backendSeconds!, '$1 per second');
    close(sum(await scrape(stack.gateway.config.sidecar.port), 'llmgw_spend_usd_total', { key: 'priced', model: LOCAL_MODEL, kind: 'local' }), e.usd, 'the spend metric');
    close(Number(await loggedSpend(stack, record.requestId)), e.usd, 'the access log');
    close(e.hostedEquivalentUsd!, record.promptTokens! + record.completionTokens!, '$1 per token at hosted prices');
    close(sum(await scrape(stack.gateway.config.sidecar.port), 'llmgw_local_hosted_equivalent_usd_total', { key: 'priced', model: LOCAL_MODEL, backend: 'gpu' }), e.hostedEquivalentUsd!, 'the comparison metric');
  });

  it('stops a key that spent its daily budget (a stream that overshoots completes and is charged) until the next UTC day', async () => {
    const first = await settled('budget', '/api/chat', chat(HOSTED_MODEL));
    assert.equal(first.res.status, 200);
    assert.equal(first.res.headers['x-budget-remaining-daily-usd'], '2.500000');
    const cost = entryOf(first.record).usd;
    assert.ok(cost > 1.25 && cost < 2.5, `one answer costs ${cost}: the second is admitted and overshoots`);

    const stream = await settled('budget', '/api/chat', chat(HOSTED_MODEL, true));
    assert.equal(stream.res.status, 200);
    assert.equal(stream.res.headers['x-budget-remaining-daily-usd'], (2.5 - cost).toFixed(6));
    assert.equal(ndjson(stream.res.text).at(-1).done, true, 'the stream that overshoots completes');
    assert.ok(entryOf(stream.record).usd > 0, 'and is charged');

    const refused = await rawPost(`${stack.url}/api/chat`, chat(HOSTED_MODEL), { Authorization: `Bearer ${secrets.budget}`, 'Accept-Language': 'de' });
    assert.equal(refused.status, 429);
    assert.equal(refused.headers['retry-after'], String(12 * 3600), 'midnight UTC is 12 h away');
    assert.equal(refused.headers['content-language'], 'de');
    assert.deepEqual(JSON.parse(refused.text), { error: localize('de', 'budget_exceeded', { budget: '2.500000', reset: '2026-06-16T00:00:00.000Z' }).text });
    const v1 = await rawPost(`${stack.url}/v1/chat/completions`, chat(HOSTED_MODEL), { Authorization: `Bearer ${secrets.budget}` });
    assert.equal(v1.status, 429);
    assert.equal(JSON.parse(v1.text).error.code, 'budget_exceeded');

    const port = stack.gateway.config.sidecar.port;
    await waitFor(async () => sum(await scrape(port), 'llmgw_rate_limited_total', { key: 'budget', limit: 'budget' }) === 2, 5000, 'both refusals counted as budget');
    const samples = await scrape(port);
    assert.ok(sum(samples, 'llmgw_budget_used_ratio', { key: 'budget', period: 'day' }) > 1);
    assert.equal(sum(samples, 'llmgw_budget_alert', { key: 'budget', period: 'day' }), 1);
    assert.equal(sum(samples, 'llmgw_budget_alert', { key: 'budget', period: 'month' }), 0);

    now = Date.parse('2026-06-16T00:00:01Z');
    const nextDay = await settled('budget', '/api/chat', chat(HOSTED_MODEL));
    assert.equal(nextDay.res.status, 200, 'a new day, a new budget');
    assert.equal(nextDay.res.headers['x-budget-remaining-daily-usd'], '2.500000');
  });

  it('keeps spend across a restart: budgets are rebuilt from the ledger, and `gateway usage` reports it', async () => {
    const spent = ledger()
      .filter((e) => e.key === 'budget')
      .reduce((s, e) => s + e.usd, 0);
    await stack.restart();
    const { res } = await settled('budget', '/api/chat', chat(HOSTED_MODEL));
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-budget-remaining-monthly-usd'], (100 - spent).toFixed(6), 'the month remembers what was spent before the restart');
    assert.ok(Number(res.headers['x-budget-remaining-daily-usd']) < 2.5, 'and so does the day');

    const run = promisify(execFile);
    const cli = join(import.meta.dirname, '../../cli/main.ts');
    const args = ['--import', 'tsx', cli, 'usage', '--config', stack.configFile, '--since', '2026-06-01', '--until', '2026-06-30', '--by', 'key', '--format', 'json'];
    const rows = JSON.parse((await run(process.execPath, args)).stdout) as { key: string; requests: number; usd: number; localUsd: number }[];
    const total = (key: string) => ledger().filter((e) => e.key === key);
    for (const key of ['priced', 'budget']) {
      const row = rows.find((r) => r.key === key);
      assert.ok(row, `a row for ${key}`);
      assert.equal(row.requests, total(key).length);
      close(row.usd, total(key).reduce((s, e) => s + e.usd, 0), `${key}'s spend`);
    }
    assert.ok(rows.find((r) => r.key === 'priced')!.localUsd > 0, 'local spend apart');
  });
});

describe('cost of whole answers the output guard checks', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      backends: [{ name: 'gpu', tokenDelayMs: 20 }],
      config: { guard: { output: { banSubstrings: { enabled: true, substrings: ['Lima Alpha'], defaultList: false } } } as never, cost: { gpuHourUsd: { gpu: 3600 } } },
    });
  });
  after(async () => stack?.stop());

  it('charges the backend the answer came from, whether the guard lets it through or blocks it', async () => {
    const records: CompletionRecord[] = [];
    stack.gateway.telemetry.on('completion', (rec) => records.push(rec));
    const ask = (content: string, id: string) => rawPost(`${stack.url}/api/chat`, { model: HOSTED_MODEL, stream: false, messages: [{ role: 'user', content }] }, { 'X-Request-Id': id });
    assert.equal((await ask('hello', 'whole-passed')).status, 200);
    assert.equal((await ask('echo: say Lima Alpha', 'whole-blocked')).status, 400);
    await waitFor(() => records.length >= 2, 5000, 'both completion records');
    const entries = readLedger(join(stack.dir, 'usage'), Date.now() - DAY, Date.now() + DAY);
    for (const id of ['whole-passed', 'whole-blocked']) {
      const rec = records.find((r) => r.clientRequestId === id)!;
      assert.equal(rec.backend, 'gpu', `${id}: the log says which backend the subrequest asked`);
      const e = entries.find((x) => x.id === rec.requestId);
      assert.ok(e && e.kind === 'local' && e.usd > 0, `${id} is charged`);
      close(e.usd, rec.backendSeconds!, `${id}: $1 per second`);
      close(Number(await loggedSpend(stack, rec.requestId)), e.usd, `${id}: the access log`);
    }
  });
});
