// The sidecar's access-log receiver takes datagrams from anyone on the host: hostile lines must be
// counted as invalid and never break the metrics that nginx's own lines feed.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { scrape, sum } from '../harness/metrics.ts';
import { postJson, startStack, waitFor, type Stack } from '../harness/stack.ts';

const MODEL = 'llama3.2:1b';

function send(port: number, lines: string[]): Promise<void> {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve) => {
    let left = lines.length;
    for (const l of lines) socket.send(l, port, '127.0.0.1', () => --left === 0 && socket.close(() => resolve()));
  });
}

describe('hostile access-log lines', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ backends: [{ name: 'a' }] });
  });
  after(() => stack?.stop());

  it('counts Infinity durations and junk as invalid, and real lines still feed the metrics', async () => {
    const { sidecar, observability } = stack.gateway.config;
    const before = await scrape(sidecar.port);
    const hostile = [
      '<190>x llmgw: {"event":"done","status":200,"request_time":1e999,"uri":"/api/chat","pool":"gw.a","upstream_addr":"127.0.0.1:1"}',
      '<190>x llmgw: {"event":"done","status":200,"request_time":0.1,"upstream_header_time":"1e999","bytes_sent":-1e999,"tokens_prompt":"99999999999999999999999","uri":"/api/chat"}',
      '<190>x llmgw: {"event":"start","request_id":{"a":1},"pool":[]}',
      '<190>x llmgw: {',
    ];
    await send(observability.logPort, hostile);
    await waitFor(async () => sum(await scrape(sidecar.port), 'llmgw_log_lines_total') - sum(before, 'llmgw_log_lines_total') >= hostile.length, 3000, 'the hostile lines');
    const afterHostile = await scrape(sidecar.port);
    assert.equal(sum(afterHostile, 'llmgw_log_lines_total', { result: 'invalid' }) - sum(before, 'llmgw_log_lines_total', { result: 'invalid' }), 3, 'Infinity, a non-string id and junk');

    // A real line with odd values: a long, odd request id and model, through nginx.
    const res = await postJson(`${stack.url}/api/chat`, { model: `${MODEL}\u0000\u202e`, messages: [], stream: false }, { 'X-Request-Id': 'x'.repeat(4000) });
    assert.ok(res.status >= 400, `an unknown model is refused (${res.status})`);
    const ok = await postJson(`${stack.url}/api/chat`, { model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: false });
    assert.equal(ok.status, 200);
    await waitFor(
      async () => sum(await scrape(sidecar.port), 'llmgw_requests_total', { route: '/api/chat', status_class: '2xx' }) > sum(afterHostile, 'llmgw_requests_total', { route: '/api/chat', status_class: '2xx' }),
      3000,
      'the real request in the metrics',
    );
  });
});
