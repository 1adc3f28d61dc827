// Reloads lose nothing for HTTP/1.1 keep-alive clients: 10 of the gateway's own reloads (config reloads and
// the fleet's inventory changes) under a steady load of non-streamed answers and streams longer than the
// drain, from node's keep-alive Agent (no retries) and from wrk, with 0 errors of any kind.
//
// Without the drain (nginx.reloadDrain 0ms) this fails: nginx 1.22's old workers close their idle
// keep-alive connections at once, and a connection right after a stream that began before the reload,
// while the client is writing its next request onto it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync, writeFileSync } from 'node:fs';
import { connect as connectHttp2, type IncomingHttpHeaders } from 'node:http2';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { DRAIN_FLAG } from '../../nginx/render/reload-drain.ts';
import { requestFor, verifyReply, type Kind } from '../harness/load.ts';
import { startStack, waitFor, type Stack } from '../harness/stack.ts';

const RELOADS = 10;
const TOKEN_DELAY_MS = 40;
const STREAM_TOKENS = 20; // ~800 ms: longer than the 500 ms drain, so the drain's wait for running streams matters
const CHAT_TOKENS = 4;
const SOCKETS = 8;
const MODELS = ['llama3.2:1b', 'qwen2.5:0.5b'];
const POST_LUA = fileURLToPath(new URL('../../bench/post.lua', import.meta.url));

interface Tally {
  ok: number;
  /** Answers that said `Connection: close` (drained, or sent by an old worker). */
  closed: number;
  errors: string[];
}

/** One request on the pooled Agent, never retried: any transport error, non-200 or incomplete reply counts. */
function send(agent: Agent, base: string, kind: Kind, tally: Tally): Promise<void> {
  const tokens = kind.endsWith('stream') ? STREAM_TOKENS : CHAT_TOKENS;
  const { path, body } = requestFor(kind, tokens);
  return new Promise((resolve) => {
    const fail = (what: string) => {
      tally.errors.push(`${kind}: ${what}`);
      resolve();
    };
    const req = request(`${base}${path}`, { method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => fail(`response: ${err.message}`));
      res.on('aborted', () => fail('response aborted'));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) return fail(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
        const v = verifyReply(kind, String(res.headers['x-gateway-backend'] ?? ''), text, tokens);
        if (v.error) return fail(v.error);
        tally.ok++;
        if (/\bclose\b/.test(String(res.headers.connection))) tally.closed++;
        resolve();
      });
    });
    req.on('error', (err) => fail(`${(err as NodeJS.ErrnoException).code ?? ''} ${err.message} (reused socket: ${req.reusedSocket})`));
    req.end(body);
  });
}

interface WrkSummary {
  requests: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
}

/** wrk with bench/post.lua (non-streamed chats) until stopped; its BENCH summary line. */
function startWrk(url: string): { stop: () => Promise<WrkSummary> } {
  const { body } = requestFor('v1-chat', CHAT_TOKENS);
  const child = spawn('wrk', ['-t', '2', '-c', String(SOCKETS), '-d', '120s', '--timeout', '10s', '-s', POST_LUA, url], { env: { ...process.env, BENCH_BODY: body } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = once(child, 'exit');
  return {
    async stop() {
      // wrk ends on SIGINT as at the end of its duration: it prints its summary (post.lua's done()).
      child.kill('SIGINT');
      await exited;
      const m = /^BENCH summary (\d+) \d+ (\d+) (\d+) (\d+) (\d+) (\d+)$/m.exec(out);
      assert.ok(m, `wrk printed no summary:\n${out}`);
      const [requests, connect, read, write, status, timeout] = m.slice(1).map(Number);
      return { requests, errors: { connect, read, write, status, timeout } };
    },
  };
}

describe('reloads under load', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ backends: ['a', 'b', 'c'].map((name) => ({ name, tokenDelayMs: TOKEN_DELAY_MS, models: MODELS })) });
  });
  after(async () => stack?.stop());

  it('while the drain flag exists, HTTP/1.1 answers say Connection: close and HTTP/2 answers carry no connection header', async () => {
    const flag = join(stack.dir, DRAIN_FLAG);
    const agent = new Agent({ keepAlive: true, rejectUnauthorized: false });
    const h1 = () =>
      new Promise<{ status?: number; connection?: string }>((resolve, reject) =>
        request(`${stack.url}/v1/models`, { agent }, (r) => {
          r.resume();
          resolve({ status: r.statusCode, connection: r.headers.connection });
        })
          .on('error', reject)
          .end(),
      );
    const h2 = async (): Promise<IncomingHttpHeaders> => {
      const session = connectHttp2(stack.url, { rejectUnauthorized: false });
      try {
        const req = session.request({ ':path': '/v1/models' });
        const [headers] = (await once(req, 'response')) as [IncomingHttpHeaders];
        req.resume();
        await once(req, 'end');
        return headers;
      } finally {
        session.close();
      }
    };
    try {
      assert.equal((await h1()).connection, 'keep-alive');
      writeFileSync(flag, '');
      try {
        const drained = await h1();
        assert.equal(drained.status, 200);
        assert.match(String(drained.connection), /\bclose\b/);
        const over2 = await h2();
        assert.equal(over2[':status'], 200);
        assert.equal(over2.connection, undefined);
      } finally {
        rmSync(flag);
      }
      assert.equal((await h1()).connection, 'keep-alive');
    } finally {
      agent.destroy();
    }
  });

  it(`lose nothing for keep-alive clients over ${RELOADS} reloads: node's Agent and wrk`, async () => {
    const tally: Tally = { ok: 0, closed: 0, errors: [] };
    const agent = new Agent({ keepAlive: true, maxSockets: SOCKETS, rejectUnauthorized: false });
    const wrk = startWrk(`${stack.url}/v1/chat/completions`);
    const kinds: Kind[] = ['v1-stream', 'v1-chat', 'api-stream', 'api-chat'];
    let stop = false;
    let sent = 0;
    const clients = Array.from({ length: SOCKETS }, async (_, c) => {
      for (let i = c; !stop; i += SOCKETS) {
        sent++;
        await send(agent, stack.url, kinds[i % kinds.length], tally);
      }
    });

    const sync = stack.gateway.sync;
    const reloadsBefore = sync.reloads;
    const c = stack.emulators.c;
    await waitFor(() => tally.ok >= SOCKETS, 10_000, 'traffic before the first reload');
    for (let i = 0; i < RELOADS; i++) {
      const expected = sync.reloads + 1;
      if (i % 2 === 0) {
        // `gateway reload` of a changed config: a's weight changes every time.
        const backends = Object.values(stack.emulators).map((e) => ({ name: e.name, url: e.url, weight: e.name === 'a' ? 2 + i : 1 }));
        stack.writeConfig({ backends });
        assert.equal((await stack.gateway.reloadConfig()).changed, true);
      } else {
        // The fleet's inventory changes (a model pulled on c, then removed): the health poller reloads.
        c.setModels(i % 4 === 1 ? [...MODELS, 'extra:1b'] : MODELS);
      }
      await waitFor(() => sync.reloads >= expected, 20_000, `reload ${i + 1}`);
    }
    stop = true;
    await Promise.all(clients);
    const viaWrk = await wrk.stop();
    agent.destroy();

    console.log(
      `${sync.reloads - reloadsBefore} reloads; node Agent: ${sent} requests, ${tally.ok} ok (${tally.closed} said Connection: close), ` +
        `${tally.errors.length} errors ${JSON.stringify(tally.errors.slice(0, 5))}; wrk: ${JSON.stringify(viaWrk)}`,
    );
    assert.equal(sync.reloads - reloadsBefore, RELOADS);
    assert.deepEqual(tally.errors, []);
    assert.equal(tally.ok, sent);
    // The drain really ran: clients were told to close at each reload.
    assert.ok(tally.closed >= RELOADS, `only ${tally.closed} answers said Connection: close`);
    assert.ok(viaWrk.requests > 0);
    assert.deepEqual(viaWrk.errors, { connect: 0, read: 0, write: 0, status: 0, timeout: 0 });
  });
});
