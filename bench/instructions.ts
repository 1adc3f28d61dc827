// Instructions nginx executes per request, counted by valgrind's callgrind: the same count on every
// run, unlike wall-clock throughput on a shared machine, so the cost of one change reads from one run.
// Each nginx (bare proxy_pass, the gateway without and with admission) runs its conf as one process
// (master_process off, one worker) under callgrind, served over plain HTTP so TLS does not blur the
// figures; after a warm-up, the count of WARM requests is taken from the count of COUNT requests.
//
//   npm run bench:instructions     (writes bench/INSTRUCTIONS.md; valgrind from apt: scripts/ensure-valgrind.sh)
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeVersion, machine, versions } from './environment.ts';
import { freePort, sleep, start, stop, type Child } from './procs.ts';
import { benchWorkspace, startEmulators, startFloorNginx, startGateway, stopGateway, type RunningGateway } from './servers.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WARM = 20;
const COUNT = 120;
const CHAT = { model: 'llama3.2:1b', messages: [{ role: 'user', content: 'Hello' }] };

/** The conf of a running nginx, as one process under callgrind: plain HTTP on `port`, its own pid file. */
export function callgrindConf(conf: string, port: number, pidFile: string): string {
  let out = conf
    .replace(/^daemon [^;]*;/m, 'daemon off;')
    .replace(/^worker_processes [^;]*;/m, 'worker_processes 1;')
    .replace(/^pid [^;]*;/m, `pid ${pidFile};`)
    .replace(/listen 127\.0\.0\.1:\d+ ssl( http2)?;/, `listen 127.0.0.1:${port};`);
  if (!/^daemon /m.test(out)) out = `daemon off;\n${out}`;
  return `master_process off;\n${out}`;
}

function post(agent: http.Agent, port: number, path: string, headers: Record<string, string>, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'Content-Type': 'application/json', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

function summary(file: string): number {
  const m = /^summary: (\d+)$/m.exec(readFileSync(file, 'utf8'));
  if (!m) throw new Error(`no summary in ${file}`);
  return Number(m[1]);
}

interface Case {
  name: string;
  conf: string;
  prefix: string;
  headers: Record<string, string>;
  body: unknown;
}

/** Instructions per request of one case. */
async function count(c: Case, dir: string): Promise<number> {
  const port = await freePort();
  const out = join(dir, `cg-${c.name.replace(/\W+/g, '-')}`);
  const confFile = join(dirname(c.conf), 'callgrind.conf');
  writeFileSync(confFile, callgrindConf(readFileSync(c.conf, 'utf8'), port, `${out}.pid`));
  const vg: Child = start(`callgrind ${c.name}`, 'valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}.out`, 'nginx', '-c', confFile, '-p', c.prefix], { cwd: c.prefix });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const send = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const status = await post(agent, port, '/v1/chat/completions', c.headers, c.body);
        if (status !== 200) throw new Error(`${c.name}: status ${status}\n${vg.output()}`);
      }
    };
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await post(agent, port, '/v1/chat/completions', c.headers, c.body);
        break;
      } catch (err) {
        if (Date.now() > deadline || vg.proc.exitCode !== null) throw new Error(`${c.name}: nginx under callgrind did not answer: ${String(err)}\n${vg.output()}`);
        await sleep(250);
      }
    }
    const dump = () => {
      const r = spawnSync('callgrind_control', ['-d', String(vg.proc.pid)], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`callgrind_control: ${r.stderr}`);
    };
    await send(WARM);
    dump(); // from here on each dump counts from the previous one
    await send(WARM);
    dump();
    await send(COUNT);
    dump();
    return (summary(`${out}.out.3`) - summary(`${out}.out.2`)) / (COUNT - WARM);
  } finally {
    agent.destroy();
    await stop(vg);
  }
}

async function main(): Promise<void> {
  const { dir, tls } = benchWorkspace();
  const emulators = await startEmulators();
  const gateways: RunningGateway[] = [];
  let floor: Child | undefined;
  try {
    floor = (await startFloorNginx(dir, emulators.urls, tls, 1)).child;
    for (const admission of [false, true]) gateways.push(await startGateway(dir, `gateway-${admission ? 'd' : 'c'}`, emulators.urls, tls, 1, admission));
    const [c, d] = gateways;
    const gwConf = (g: RunningGateway) => join(dir, g === c ? 'gateway-c' : 'gateway-d', 'conf', 'nginx.conf');
    const gwPrefix = (g: RunningGateway) => join(dir, g === c ? 'gateway-c' : 'gateway-d');
    const stream = { ...CHAT, stream: true, max_tokens: 64 };
    const whole = { ...CHAT, stream: false };
    const cases: (Case & { key: string })[] = [
      { key: 'b', name: '(b) bare nginx proxy_pass, whole answer', conf: join(dir, 'floor', 'nginx.conf'), prefix: join(dir, 'floor'), headers: {}, body: whole },
      { key: 'b', name: '(b) bare nginx proxy_pass, streamed (64 tokens)', conf: join(dir, 'floor', 'nginx.conf'), prefix: join(dir, 'floor'), headers: {}, body: stream },
      { key: 'c', name: '(c) gateway, admission off, whole answer', conf: gwConf(c), prefix: gwPrefix(c), headers: c.headers, body: whole },
      { key: 'c', name: '(c) gateway, admission off, streamed (64 tokens)', conf: gwConf(c), prefix: gwPrefix(c), headers: c.headers, body: stream },
      { key: 'd', name: '(d) gateway, admission on, whole answer', conf: gwConf(d), prefix: gwPrefix(d), headers: d.headers, body: whole },
    ];
    const rows: string[] = [];
    const floorOf: Record<string, number> = {};
    for (const k of cases) {
      const n = await count(k, dir);
      const kind = k.name.includes('streamed') ? 'stream' : 'whole';
      if (k.key === 'b') floorOf[kind] = n;
      rows.push(`| ${k.name} | ${Math.round(n).toLocaleString('en')} | ${(n / floorOf[kind]).toFixed(1)}× |`);
      console.error(`${k.name}: ${Math.round(n)}`);
    }
    const v = versions();
    const md = `# Instructions per request in nginx

Generated by \`npm run bench:instructions\` (bench/instructions.ts) on ${new Date().toISOString()}; every run overwrites this file.

- code: ${codeVersion(ROOT)}
- machine: ${machine()}
- software: nginx ${v.nginx}, njs ${v.njs}, node ${v.node}, ${spawnSync('valgrind', ['--version'], { encoding: 'utf8' }).stdout.trim()}
- how: each nginx conf (the floor's of \`npm run bench\`, the gateway's as it renders it for the bench's config, with one API key) runs as one process (\`master_process off\`, one worker) under \`valgrind --tool=callgrind\`, over plain HTTP instead of HTTPS; one keep-alive client sends ${WARM} requests (warm-up), ${WARM}, then ${COUNT}; the figure is the difference of the last two counts divided by ${COUNT - WARM}. The count covers all of nginx's work in that process (njs included), not the sidecar's or the backends'.
- requests: \`POST /v1/chat/completions\` with ${JSON.stringify(JSON.stringify(whole))} (the emulator answers 8 tokens at once) and, streamed, ${JSON.stringify(JSON.stringify(stream))}

| scenario | instructions per request | × bare nginx |
|---|---:|---:|
${rows.join('\n')}
`;
    writeFileSync(new URL('./INSTRUCTIONS.md', import.meta.url), md);
    console.log(md);
  } finally {
    for (const g of gateways) await stopGateway(g);
    if (floor) await stop(floor);
    for (const e of emulators.children) await stop(e);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
