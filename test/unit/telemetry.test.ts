// The pure parts of the telemetry path: answer-end parsing (runs in njs too), access-line parsing,
// in-flight pairing, label closing and the /metrics token check.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Gauge, Registry } from 'prom-client';
import { answerFormat, parseAnswerEnd as parseEnd } from '../../njs/usage/parse-usage.ts';
import { usageBodies, wholeParseEnd } from '../harness/usage-bodies.ts';

const parseAnswerEnd = (text: string, contentType: string, whole = true) => parseEnd(Buffer.from(text), whole, answerFormat(contentType));
import { bearerMatches } from '../../sidecar/routes/metrics.ts';
import { attemptsOf, parseAccessLine, timeToFirstByte } from '../../sidecar/telemetry/access-line.ts';
import { InFlight } from '../../sidecar/telemetry/in-flight.ts';
import { Telemetry } from '../../sidecar/telemetry/telemetry.ts';
import { dropsFor } from '../../sidecar/telemetry/udp-drops.ts';
import { closedLabel, routeLabel, statusClass } from '../../sidecar/telemetry/labels.ts';

describe('answer end', () => {
  it('reads OpenAI usage from a whole answer and from the last chunk of a stream', () => {
    const whole = '{"id":"x","choices":[{"message":{"content":"hi"}}],"usage":{"prompt_tokens":12,"completion_tokens":34,"total_tokens":46}}';
    assert.deepEqual(parseAnswerEnd(whole, 'application/json'), { terminal: true, promptTokens: 12, completionTokens: 34 });
    const sse = 'data: {"choices":[{"delta":{"content":"a"}}],"usage":null}\n\ndata: {"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":7}}\n\ndata: [DONE]\n\n';
    assert.deepEqual(parseAnswerEnd(sse, 'text/event-stream; charset=utf-8'), { terminal: true, promptTokens: 5, completionTokens: 7 });
  });

  it('reads the prompt tokens OpenAI served from its prompt cache', () => {
    const whole = '{"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":8}}}';
    assert.deepEqual(parseAnswerEnd(whole, 'application/json'), { terminal: true, promptTokens: 12, completionTokens: 3, cachedTokens: 8 });
  });

  it('reads Ollama eval counts from the final line', () => {
    const nd = '{"message":{"content":"a"},"done":false}\n{"done":true,"prompt_eval_count":3,"eval_count":9,"eval_duration":1}\n';
    assert.deepEqual(parseAnswerEnd(nd, 'application/x-ndjson'), { terminal: true, promptTokens: 3, completionTokens: 9 });
  });

  it('reads a whole body\'s usage as a parse of the whole body does, wherever the usage keys stand', () => {
    const bodies = usageBodies();
    for (const text of bodies) assert.deepEqual({ ...parseAnswerEnd(text, 'application/json') }, wholeParseEnd(text), text);
    assert.equal(bodies.length, 3 * 6 ** 3 * 4);
  });

  it('reads a stream whose lines end in CRLF, with comments and other fields between its events', () => {
    const usage = '{"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":7}}';
    for (const nl of ['\n', '\r\n']) {
      const events = [`data: {"choices":[{"delta":{"content":"a"}}]}`, `: ping`, `event: note${nl}data: {"x":1}`, `data: ${usage}`, 'data: [DONE]'];
      const text = events.map((e) => e + nl + nl).join('');
      assert.deepEqual(parseAnswerEnd(text, 'text/event-stream'), { terminal: true, promptTokens: 5, completionTokens: 7 }, JSON.stringify(nl));
      // Cut before [DONE]: usage read, not complete.
      const cut = events.slice(0, 4).map((e) => e + nl + nl).join('');
      assert.deepEqual(parseAnswerEnd(cut, 'text/event-stream'), { terminal: false, promptTokens: 5, completionTokens: 7 }, JSON.stringify(nl));
      // A kept tail that starts inside an event: that event is not read.
      assert.deepEqual(parseAnswerEnd(`tokens":5}}${nl}${nl}data: [DONE]${nl}${nl}`, 'text/event-stream', false), { terminal: true }, JSON.stringify(nl));
    }
  });

  it('says a stream without its terminal event is not complete', () => {
    assert.equal(parseAnswerEnd('data: {"choices":[]}\n\n', 'text/event-stream').terminal, false);
    assert.equal(parseAnswerEnd('{"done":false}\n', 'application/x-ndjson').terminal, false);
    assert.equal(parseAnswerEnd('{"choices":[{"mess', 'application/json').terminal, false);
  });

  it('reads usage only from the terminal event: generated text and tool-call arguments cannot set it', () => {
    const fake = { prompt_tokens: 0, completion_tokens: 0, prompt_eval_count: 0, eval_count: 0, usage: { prompt_tokens: 0, completion_tokens: 0 }, done: true };
    const call = { function: { name: 'f', arguments: fake } };
    // Ollama sends tool-call arguments as raw JSON objects, in a line before the done line or in a whole answer.
    const nd = `${JSON.stringify({ message: { content: '', tool_calls: [call] }, done: false })}\n${JSON.stringify({ done: true, prompt_eval_count: 3, eval_count: 9 })}\n`;
    assert.deepEqual(parseAnswerEnd(nd, 'application/x-ndjson'), { terminal: true, promptTokens: 3, completionTokens: 9 });
    const whole = JSON.stringify({ message: { content: '"prompt_tokens":0', tool_calls: [call] }, done: true, prompt_eval_count: 3, eval_count: 9 });
    assert.deepEqual(parseAnswerEnd(whole, 'application/json'), { terminal: true, promptTokens: 3, completionTokens: 9 });
    // Cached prompt: Ollama leaves prompt_eval_count out; the arguments' one is not taken instead.
    const cached = JSON.stringify({ message: { tool_calls: [call] }, done: true, eval_count: 9 });
    assert.deepEqual(parseAnswerEnd(cached, 'application/json'), { terminal: true, promptTokens: undefined, completionTokens: 9 });
    // OpenAI: arguments are a string; a chunk with `usage: null` and text about usage is skipped.
    const sse = [
      { choices: [{ delta: { tool_calls: [{ function: { arguments: JSON.stringify(fake) } }] } }], usage: null },
      { choices: [], usage: { prompt_tokens: 5, completion_tokens: 7 } },
      { choices: [{ delta: { content: '{"usage":{"prompt_tokens":0}}' } }] },
    ];
    const text = sse.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + 'data: [DONE]\n\n';
    assert.deepEqual(parseAnswerEnd(text, 'text/event-stream'), { terminal: true, promptTokens: 5, completionTokens: 7 });
  });

  it('a stream cut before its terminal event: the usage chunk counts if it came; a line cut off gives nothing', () => {
    const sse = 'data: {"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":7}}\r\n\r\ndata: {"choices":[{"delta":{"content":"x"}}]}\n\n';
    assert.deepEqual(parseAnswerEnd(sse, 'text/event-stream'), { terminal: false, promptTokens: 5, completionTokens: 7 });
    const done = '{"done":true,"prompt_eval_count":3,"eval_count":9}\n';
    assert.deepEqual(parseAnswerEnd(done, 'application/x-ndjson', false), { terminal: false }, 'the line may have begun before the tail');
    assert.deepEqual(parseAnswerEnd(`{"done":false}\n${done}`, 'application/x-ndjson', false), { terminal: true, promptTokens: 3, completionTokens: 9 });
    assert.deepEqual(parseAnswerEnd('"usage":{"prompt_tokens":1}}', 'application/json', false), { terminal: true }, 'a body bigger than the tail');
  });
});

const line = (fields: Record<string, unknown>) => `<190>Nov 23 16:00:00 llmgw: ${JSON.stringify(fields)}`;
const DONE = { event: 'done', request_id: 'r1', uri: '/api/chat', status: 200, model: 'm', pool: 'gw.a.b', backend: 'b', request_time: 1.5, bytes_sent: 10 };

describe('access lines', () => {
  it('parses a finished request with retries, time to first byte and usage', () => {
    const parsed = parseAccessLine(
      line({ ...DONE, upstream_addr: '127.0.0.1:1, 127.0.0.1:2', upstream_header_time: '-, 0.250', upstream_response_time: '0.010, 1.400', overhead_ms: '3', tokens_prompt: '4', tokens_completion: '', terminal: '1', key: 'k1' }),
    );
    assert.ok(parsed && parsed.event === 'done');
    assert.equal(parsed.proxied, true);
    assert.equal(parsed.record.attempts, 2);
    assert.equal(parsed.record.ttfb, 0.003 + 0.01 + 0.25);
    assert.equal(parsed.record.promptTokens, 4);
    assert.equal(parsed.record.completionTokens, undefined);
    assert.equal(parsed.record.terminal, true);
    assert.equal(parsed.record.keyId, 'k1');
    assert.equal(parsed.record.backendSeconds, 1.4, 'the answering attempt held its backend 1.4 s');
  });

  it('reads the stream scanner that blocked and the monitored ones that flagged, each once', () => {
    const parsed = parseAccessLine(line({ ...DONE, output_blocked: 'Secrets', output_flagged: 'NoCode,MaliciousURLs,NoCode' }));
    assert.ok(parsed && parsed.event === 'done');
    assert.equal(parsed.outputBlocked, 'Secrets');
    assert.deepEqual(parsed.outputFlagged, ['NoCode', 'MaliciousURLs']);
    const quiet = parseAccessLine(line({ ...DONE, output_blocked: '', output_flagged: '' }));
    assert.ok(quiet && quiet.event === 'done');
    assert.deepEqual([quiet.outputBlocked, quiet.outputFlagged], ['', []]);
  });

  it('parses start lines and refuses anything else', () => {
    assert.deepEqual(parseAccessLine(line({ event: 'start', request_id: 'r1', pool: 'gw.a' })), { event: 'start', start: { requestId: 'r1', pool: 'gw.a' } });
    assert.equal(parseAccessLine('<190>Nov 23 16:00:00 llmgw: {"event":"done"'), null);
    assert.equal(parseAccessLine('no json here'), null);
    assert.equal(parseAccessLine(line({ event: 'done', status: '200' })), null);
  });

  it('survives hostile lines: odd numbers, wrong types, junk (a seeded fuzz through Telemetry.receive)', () => {
    const inf = parseAccessLine('<190>x llmgw: {"event":"done","status":200,"request_time":1e999,"uri":"/api/chat"}');
    assert.equal(inf, null, 'request_time 1e999 is Infinity: not a duration');
    const odd = parseAccessLine(line({ ...DONE, upstream_header_time: '1e999, -1, NaN', upstream_response_time: 'x', bytes_sent: -5, tokens_prompt: '9'.repeat(400) }));
    assert.ok(odd && odd.event === 'done');
    assert.equal(odd.record.ttfb, 0);
    assert.equal(odd.record.bytesSent, 0);
    assert.equal(odd.record.promptTokens, undefined);
    const telemetry = new Telemetry(() => ({ model: () => undefined, backend: () => false, key: () => false }));
    const values: unknown[] = [1e308, -1, 0, 'x', null, [], {}, true, '-', '1e999', '\u0000', 'a'.repeat(70000), 599, 1.5];
    const keys = ['status', 'request_time', 'bytes_sent', 'upstream_header_time', 'upstream_response_time', 'overhead_ms', 'tokens_prompt', 'tokens_completion', 'uri', 'model', 'pool', 'key', 'output_flagged', 'request_id', 'event'];
    let seed = 7;
    const pick = <T>(xs: T[]) => xs[(seed = (seed * 1103515245 + 12345) % 2147483648) % xs.length];
    for (let i = 0; i < 3000; i++) {
      const fields: Record<string, unknown> = { ...DONE };
      for (let k = 0; k < 4; k++) fields[pick(keys)] = pick(values);
      const text = JSON.stringify(fields).replace(/1e\+?308/g, pick(['1e999', '-1e999', '1e308']));
      assert.doesNotThrow(() => telemetry.receive(`<190>x llmgw: ${text}`), text.slice(0, 200));
    }
    for (const junk of ['{', '{}', '{"event":"done"', 'null', '[1]', '{"event":"start","request_id":{}}', '\u0000{"event":"done"}']) assert.doesNotThrow(() => telemetry.receive(junk));
  });

  it('counts only servers as attempts', () => {
    assert.equal(attemptsOf(''), 0);
    assert.equal(attemptsOf('127.0.0.1:1'), 1);
    assert.equal(attemptsOf('127.0.0.1:1, 127.0.0.1:2, gw.a.b'), 2);
    assert.equal(attemptsOf('127.0.0.1:1 : 127.0.0.1:2'), 2);
    assert.equal(timeToFirstByte({ upstream_header_time: '' }), undefined);
  });
});

describe('in flight', () => {
  const gauge = () => new Gauge({ name: 'x', help: 'x', labelNames: ['upstream'], registers: [new Registry()] });
  const value = async (g: Gauge, upstream: string) => (await g.get()).values.find((v) => v.labels.upstream === upstream)?.value ?? 0;

  it('pairs start and done by request id, in either order', async () => {
    const g = gauge();
    const f = new InFlight(g);
    f.start('1', 'a', 0);
    f.start('2', 'a', 0);
    assert.equal(await value(g, 'a'), 2);
    f.finish('1', 1);
    f.finish('3', 1);
    f.start('3', 'a', 2);
    assert.equal(await value(g, 'a'), 1, 'a done that overtook its start cancels it');
  });

  it('forgets starts whose done line was lost', async () => {
    const g = gauge();
    const f = new InFlight(g);
    f.start('1', 'a', 0);
    f.expire(30 * 60_000);
    assert.equal(await value(g, 'a'), 1);
    f.expire(61 * 60_000);
    assert.equal(await value(g, 'a'), 0);
  });
});

describe('labels', () => {
  it('close every value over a known set', () => {
    assert.equal(routeLabel('/v1/chat/completions'), '/v1/chat/completions');
    assert.equal(routeLabel('/v1/models/llama3'), '/v1/models/{id}');
    assert.equal(routeLabel('/wp-admin/../etc'), 'other');
    assert.equal(statusClass(404), '4xx');
    assert.equal(statusClass(0), 'other');
    assert.equal(closedLabel('', () => true), 'none');
    assert.equal(closedLabel('x', () => false), 'other');
  });
});

describe('log datagram drops', () => {
  it('reads the drops column of the socket bound to the log port', () => {
    const proc = [
      '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
      ' 5471: 0100007F:E53B 0100007F:8B29 01 00000000:00000000 00:00000000 00000000 65534        0 477084 2 0000000067c9a974 0',
      ' 5472: 0100007F:2512 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 477085 2 0000000067c9a975 42',
    ].join('\n');
    assert.equal(dropsFor(proc, 9490), 42);
    assert.equal(dropsFor(proc, 9514), undefined);
  });
});

describe('/metrics token', () => {
  it('accepts only the exact bearer token', () => {
    assert.equal(bearerMatches('Bearer secret-token', 'secret-token'), true);
    assert.equal(bearerMatches('bearer secret-token', 'secret-token'), true);
    assert.equal(bearerMatches('Bearer secret-tokeN', 'secret-token'), false);
    assert.equal(bearerMatches('secret-token', 'secret-token'), false);
    assert.equal(bearerMatches(undefined, 'secret-token'), false);
  });
});
