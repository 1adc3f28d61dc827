// Resident memory of the gateway's node process (the sidecar and its scan worker threads; nginx is a
// process of its own and not counted), run from the TypeScript sources under tsx and compiled
// (dist/node) with plain node: idle after start, then after a few hundred admissions through nginx
// (9 in 10 small prompts, scanned on the event loop; 1 in 10 over 8 KB, scanned on the workers).
// Guard on (the defaults: 2 scan workers), on without workers, and off. Prints a Markdown table.
//
//   npm run -s build && npx tsx bench/sidecar-rss.ts [--admissions 300] [--rounds 2]
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { startEmulator } from '../test/emulator/emulator.ts';
import { freePort } from '../test/harness/free-port.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNS = { tsx: ['--import', 'tsx', 'cli/main.ts'], compiled: ['dist/node/cli/main.js'] } as const;
const { values } = parseArgs({ options: { admissions: { type: 'string', default: '300' }, rounds: { type: 'string', default: '2' } } });
const ADMISSIONS = Number(values.admissions);
const ROUNDS = Number(values.rounds);
const CONCURRENCY = 4;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** VmRSS and VmHWM (peak) of a process, MiB. */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)![1]);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

const agent = new Agent({ keepAlive: true, rejectUnauthorized: false });
function post(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const PROSE = 'The weather is mild today, and after lunch we might walk along the river to the old mill. ';
function prompt(i: number): string {
  const text = i % 10 === 9 ? PROSE.repeat(140) : PROSE.repeat(2);
  return JSON.stringify({ model: 'llama3.2:1b', messages: [{ role: 'user', content: `Question ${i}: ${text}` }] });
}

/** The guard settings compared: admission with the default 2 scan workers, with none, and no admission. */
const GUARDS = { on: { admission: { enabled: true } }, 'on, 0 workers': { admission: { enabled: true }, guard: { workers: 0 } }, off: { admission: { enabled: false } } } as const;

async function measure(run: keyof typeof RUNS, guard: keyof typeof GUARDS, emulatorUrl: string): Promise<{ idle: number; after: number; peak: number; ok: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-rss-'));
  // nginx's workers must reach the runtime folder (see test/harness/stack.ts).
  chmodSync(dir, 0o711);
  const https = await freePort();
  const file = join(dir, 'gateway.yaml');
  writeFileSync(
    file,
    stringify({
      listen: { address: '127.0.0.1', https, http: null },
      runtimeDir: dir,
      sidecar: { port: await freePort() },
      observability: { logPort: await freePort() },
      backends: [{ name: 'a', url: emulatorUrl }],
      nginx: { workerProcesses: 1 },
      auth: { enabled: false },
      ...GUARDS[guard],
    }),
  );
  const child: ChildProcess = spawn(process.execPath, [...RUNS[run], 'start', '--config', file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LOG_LEVEL: 'error' } });
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('gateway listening')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`${run}: gateway exited (${code})`)));
    });
    await sleep(5000);
    const idle = memory(child.pid!).rss;
    let next = 0;
    let ok = 0;
    const url = `https://127.0.0.1:${https}/v1/chat/completions`;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < ADMISSIONS) if ((await post(url, prompt(next++))) === 200) ok++;
      }),
    );
    await sleep(2000);
    const { rss: after, peak } = memory(child.pid!);
    return { idle, after, peak, ok };
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const emulator = await startEmulator({ name: 'a', port: 0 });
  const rows: string[] = [];
  try {
    for (const guard of Object.keys(GUARDS) as (keyof typeof GUARDS)[]) {
      for (let round = 1; round <= ROUNDS; round++) {
        for (const run of Object.keys(RUNS) as (keyof typeof RUNS)[]) {
          const m = await measure(run, guard, emulator.url);
          rows.push(`| ${run} | ${guard} | ${round} | ${m.idle.toFixed(0)} | ${m.after.toFixed(0)} | ${m.peak.toFixed(0)} | ${m.ok}/${ADMISSIONS} |`);
          console.error(rows[rows.length - 1]);
        }
      }
    }
  } finally {
    agent.destroy();
    await emulator.close();
  }
  console.log(['| run | guard | round | idle MiB | after MiB | peak MiB | 200s |', '|---|---|---|---|---|---|---|', ...rows].join('\n'));
}

await main();
