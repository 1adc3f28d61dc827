// Runs one k6 scenario of load/ against the demo (`gateway demo`: three emulated backends and the
// gateway on https://127.0.0.1:8443), or against GATEWAY_URL when that is set: installs k6 when
// missing, starts the demo and waits until every backend is up, runs k6, stops what it started.
// Every step has a deadline, so a run always ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:https';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEMO_URL = 'https://127.0.0.1:8443';
const DEMO_BACKENDS = 3;

export const SCENARIOS = ['smoke', 'steady', 'spike', 'soak', 'failover'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** Longest a scenario may run with its default durations (plus k6's start and graceful stop); LOAD_TIMEOUT (s) overrides. */
const DEFAULT_TIMEOUT_S: Record<Scenario, number> = { smoke: 120, steady: 600, spike: 600, soak: 3 * 3600, failover: 600 };

export interface RunOptions {
  /** Where k6 writes its --summary-export JSON. */
  summaryExport?: string;
}

function say(line: string): void {
  process.stderr.write(`load: ${line}\n`);
}

/** Runs the scenario and resolves with k6's exit code (0: every threshold passed; 99: some failed). */
export async function runScenario(scenario: Scenario, opts: RunOptions = {}): Promise<number> {
  const k6 = await ensureK6();
  const run: { demo?: Demo; k6?: ChildProcess; interrupted?: NodeJS.Signals } = {};
  // Ctrl-C reaches k6 through the terminal's process group already (a second SIGINT would make it skip
  // its summary); a SIGTERM is for this process alone and is passed on. The demo, in its own group, is stopped here.
  const onSignal = (signal: NodeJS.Signals) => {
    run.interrupted = signal;
    if (signal === 'SIGTERM') run.k6?.kill('SIGTERM');
    void run.demo?.stop();
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  try {
    const target = process.env.GATEWAY_URL;
    if (!target) run.demo = await startDemo();
    if (run.interrupted) throw new Error(`interrupted by ${run.interrupted}`);
    say(`k6 run load/${scenario}.js against ${target ?? DEMO_URL}`);
    const args = ['run', '--quiet', ...(opts.summaryExport ? ['--summary-export', opts.summaryExport] : []), `load/${scenario}.js`];
    const timeoutS = Number(process.env.LOAD_TIMEOUT) || DEFAULT_TIMEOUT_S[scenario];
    const env = run.demo ? { ...process.env, GATEWAY_URL: DEMO_URL } : process.env;
    run.k6 = spawn(k6, args, { cwd: ROOT, stdio: 'inherit', env });
    return await exitCode(run.k6, timeoutS * 1000, `k6 ${scenario}`);
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    await run.demo?.stop();
  }
}

/** scripts/ensure-k6.sh builds k6 into .tools/bin the first time (minutes) and prints its path. */
async function ensureK6(): Promise<string> {
  const child = spawn('sh', ['scripts/ensure-k6.sh'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let path = '';
  child.stdout.on('data', (chunk: Buffer) => (path += chunk.toString()));
  const code = await exitCode(child, 20 * 60_000, 'scripts/ensure-k6.sh');
  if (code !== 0) throw new Error(`scripts/ensure-k6.sh failed (exit ${code})`);
  return path.trim();
}

interface Demo {
  stop(): Promise<void>;
}

/** Starts `gateway demo` in its own process group and resolves once it says it is ready and all backends are up. */
async function startDemo(): Promise<Demo> {
  say('starting the demo (node dist/node/cli/main.js demo)');
  const child = spawn(process.execPath, ['dist/node/cli/main.js', 'demo'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const collect = (chunk: Buffer) => (output += chunk.toString());
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = once(child, 'exit');
  // Once only: a second SIGTERM would find the demo's handler spent and kill it before it stops nginx.
  let stopping: Promise<void> | undefined;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    // SIGTERM lets the demo stop nginx and the sidecar itself; the group kill is for a demo that hangs.
    child.kill('SIGTERM');
    if (!(await within(exited, 15_000))) {
      say('the demo did not stop within 15 s: killing its process group');
      process.kill(-child.pid!, 'SIGKILL');
      await exited;
    }
  };
  const demo: Demo = { stop: () => (stopping ??= stop()) };
  try {
    await Promise.race([
      waitUntilReady(() => output.includes('gateway ready on')),
      exited.then(([code, signal]) => {
        throw new Error(`the demo exited during start-up (code ${code}, signal ${signal}); is another demo or gateway holding its ports?`);
      }),
    ]);
  } catch (err) {
    await demo.stop();
    throw new Error(`${(err as Error).message}\ndemo output:\n${output}`);
  }
  // From here on the demo's output is only noise in k6's report; keep draining it so it never blocks.
  child.stdout.off('data', collect).resume();
  child.stderr.off('data', collect).resume();
  say('demo ready: all backends up');
  return demo;
}

async function waitUntilReady(announced: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!announced() || !(await allBackendsUp())) {
    if (Date.now() > deadline) throw new Error('the demo was not ready within 60 s');
    await sleep(200);
  }
}

/** The gateway's /readyz lists the healthy backends; the demo is ready when it lists all of them. */
async function allBackendsUp(): Promise<boolean> {
  try {
    // The demo's certificate is self-signed: accept it for this one probe, not for the whole process.
    const body = await getInsecure(`${DEMO_URL}/readyz`);
    return (JSON.parse(body) as { healthy?: string[] }).healthy?.length === DEMO_BACKENDS;
  } catch {
    return false;
  }
}

function getInsecure(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject).end();
  });
}

/** The child's exit code; past `ms` it is killed and the run fails. */
async function exitCode(child: ChildProcess, ms: number, what: string): Promise<number> {
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  try {
    const [code, signal] = await exited;
    if (code === null) throw new Error(`${what} ended by ${signal}${signal === 'SIGKILL' ? ` (over its ${ms / 1000} s limit?)` : ''}`);
    return code;
  } finally {
    clearTimeout(timer);
  }
}

/** Whether `promise` settles within `ms`; the timer does not outlive the answer. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
