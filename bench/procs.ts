// Child processes for the bench, and what Linux says about them: CPU time and RSS from /proc.
// Every process started here is remembered and killed on exit, whatever way the bench ends.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ; `getconf CLK_TCK` is 100 on every Linux this runs on

export interface Child {
  label: string;
  proc: ChildProcess;
  /** Everything it wrote on stdout and stderr (for error messages). */
  output(): string;
  exited: Promise<number | null>;
}

const live = new Set<Child>();
/** Processes that are not our direct children (nginx masters started by a gateway child). */
const extraPids = new Set<number>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killQuietly(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}

const exitHooks: (() => void)[] = [];
/** Runs synchronously when the process exits, however it exits (after the children are stopped). */
export function onExit(hook: () => void): void {
  exitHooks.push(hook);
}

const isRunning = (c: Child) => c.proc.exitCode === null && c.proc.signalCode === null;

// Last resort (crash, Ctrl-C, watchdog): synchronous, so it works inside an 'exit' handler. Every child
// leads its own process group (nginx workers, wrk under its shell): SIGTERM to the groups, a short wait,
// then SIGKILL to what is left. SIGTERM first because a SIGKILLed nginx master leaves its workers running.
process.on('exit', () => {
  const groups = [...live].filter(isRunning).map((c) => c.proc.pid!);
  for (const pid of groups) killQuietly(-pid, 'SIGTERM');
  for (const pid of extraPids) killQuietly(pid, 'SIGTERM');
  const deadline = Date.now() + 3000;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (Date.now() < deadline && [...groups, ...extraPids].some(alive)) Atomics.wait(pause, 0, 0, 50);
  for (const pid of groups) killQuietly(-pid, 'SIGKILL');
  for (const hook of exitHooks) {
    try {
      hook();
    } catch {
      /* best effort */
    }
  }
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, () => process.exit(130));

export function track(pid: number): void {
  extraPids.add(pid);
}

export function start(label: string, command: string, args: string[], opts: SpawnOptions = {}): Child {
  // detached: its own process group, so a stop reaches its descendants too (and a Ctrl-C goes through our cleanup).
  const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...opts });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  proc.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code) => resolve(code));
    proc.once('error', (err) => {
      out += `\n${err.message}`;
      resolve(null);
    });
  });
  const child: Child = { label, proc, output: () => out, exited };
  live.add(child);
  void exited.then(() => live.delete(child));
  return child;
}

/** SIGTERM to its process group, then SIGKILL after `graceMs`; resolves when the child is gone. */
export async function stop(child: Child, graceMs = 10_000): Promise<void> {
  if (!isRunning(child)) return;
  killQuietly(-child.proc.pid!, 'SIGTERM');
  const timer = setTimeout(() => killQuietly(-child.proc.pid!, 'SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

/** Stops a process we did not spawn (by pid) and waits until it is gone. */
export async function stopPid(pid: number, graceMs = 10_000): Promise<void> {
  killQuietly(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(pid)) {
    if (Date.now() > deadline) killQuietly(pid, 'SIGKILL');
    await sleep(50);
  }
  extraPids.delete(pid);
}

/** Resolves with the first match of `re` in the child's output; rejects if it exits or `ms` pass first. */
export async function waitForOutput(child: Child, re: RegExp, ms: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms;
  let gone = false;
  void child.exited.then(() => (gone = true));
  for (;;) {
    const m = child.output().match(re);
    if (m) return m;
    if (gone) throw new Error(`${child.label} exited before it was ready:\n${child.output()}`);
    if (Date.now() > deadline) throw new Error(`${child.label} not ready after ${ms} ms:\n${child.output()}`);
    await sleep(25);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export { freePort } from '../test/harness/free-port.ts';

function statFields(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces and parentheses: fields start after the last ')'; [0] is field 3 (state).
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** utime + stime of one process in seconds (0 if it is gone). */
export function cpuSeconds(pid: number): number {
  const f = statFields(pid);
  return f ? (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND : 0;
}

export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(Number(name));
    if (f && Number(f[1]) === pid) out.push(Number(name));
  }
  return out;
}

/** `pid` and all its descendants. */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...childrenOf(out[i]));
  return out;
}

/** CPU seconds of every process on the machine right now, with its name: to tell who else was busy. */
export function allProcesses(): Map<number, { comm: string; cpu: number }> {
  const out = new Map<number, { comm: string; cpu: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      out.set(Number(name), { comm: text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')), cpu: (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND });
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/** Resident set size in KiB (0 if it is gone). */
export function rssKiB(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Samples, every `everyMs`, the summed RSS of each group of processes; `stop()` ends the sampling and
 * gives each group's highest sum (KiB). An RSS read once after the load misses what a burst took.
 */
export function watchPeakRss<G extends string>(groups: Record<G, number[]>, everyMs = 100): () => Record<G, number> {
  const names = Object.keys(groups) as G[];
  const peak = {} as Record<G, number>;
  const sample = () => {
    for (const g of names) peak[g] = Math.max(peak[g] ?? 0, groups[g].reduce((sum, pid) => sum + rssKiB(pid), 0));
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return () => {
    clearInterval(timer);
    sample();
    return peak;
  };
}

/** Whole-machine jiffies from the first line of /proc/stat: busy (steal excluded), stolen by the hypervisor, total. */
export function machineJiffies(): { busy: number; steal: number; total: number } {
  const parts = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const total = parts.reduce((a, b) => a + b, 0);
  const idle = parts[3] + parts[4]; // idle + iowait
  const steal = parts[7] ?? 0;
  return { busy: total - idle - steal, steal, total };
}

export function readPidFile(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return pid > 0 && alive(pid) ? pid : undefined;
}
