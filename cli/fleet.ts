// gateway fleet [--json] | pull | unload | delete: what every backend has, and the model lifecycle's
// hands, through the running sidecar's /control routes.
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig, type LoadedConfig } from '../config/load.ts';
import { canonicalModel } from '../core/routing/model-name.ts';
import type { FleetReport, ModelRow } from '../sidecar/fleet/fleet-report.ts';
import { controlRequest } from './control-client.ts';
import { formatTable } from './table.ts';

export const FLEET_USAGE = `usage: gateway fleet [<command>] [--config FILE]
  (none) [--json]             per backend and model: on disk, loaded, in flight, queued, what the
                              config wants of it (pull, keepLoaded, replicas) and its pull
  pull <backend> <model> [--no-wait]
                              pull the model on the backend now (before the lifecycle's own pulls)
                              and show its progress until it ends; Ctrl-C stops watching, not the pull
  unload <backend> <model>    unload it from the backend's memory (its files stay)
  delete <backend> <model>    delete its files from the backend: the only way the gateway deletes anything`;

/** How long a pull's progress is watched between two looks. */
const WATCH_MS = 500;

function pullCell(row: ModelRow): string {
  const parts: string[] = [];
  if (row.pull) {
    const { state, percent, failures, error, retryInMs } = row.pull;
    if (state === 'pulling') parts.push(`pulling${percent === null ? '' : ` ${percent}%`}`);
    else if (state === 'retrying') parts.push(`retry in ${Math.ceil((retryInMs ?? 0) / 1000)}s (${failures} failed: ${error})`);
    else parts.push('queued');
  } else if (row.lastPull) {
    parts.push(row.lastPull.result === 'success' ? 'pulled' : `failed: ${row.lastPull.error}`);
  }
  if (row.loading) parts.push('loading');
  return parts.join(', ') || '-';
}

export function fleetTable(report: FleetReport): string {
  const yes = (v: boolean | null) => (v === null ? 'n/a' : v ? 'yes' : 'no');
  const n = (v: number | null) => (v === null ? 'n/a' : String(v));
  const rows = [['backend', 'model', 'on disk', 'loaded', 'in flight', 'queued', 'config', 'pull']];
  for (const b of report.backends) {
    const name = `${b.name}${b.kind === 'openai' ? ' (openai)' : ''}${b.healthy ? '' : ' (down)'}`;
    if (b.rows.length === 0) rows.push([name, '-', '', '', '', '', '', '']);
    for (const r of b.rows) rows.push([name, r.model, yes(r.onDisk), yes(r.loaded), n(r.inFlight), n(r.queued), r.wanted.join(',') || '-', pullCell(r)]);
  }
  const notes = report.scheduling ? '' : '\nin flight, queued: n/a while scheduling is off (scheduling.enabled)';
  return formatTable(rows) + notes;
}

async function getReport(loaded: LoadedConfig): Promise<FleetReport> {
  const { ok, body } = await controlRequest<FleetReport>(loaded, 'GET', '/control/fleet');
  if (!ok) throw new Error(body.error);
  return body;
}

/** Prints the pull's progress until its outcome (one that ended at or after `since`). */
async function watchPull(loaded: LoadedConfig, backend: string, model: string, since: number): Promise<void> {
  let said = '';
  for (;;) {
    await sleep(WATCH_MS);
    const report = await getReport(loaded);
    const row = report.backends.find((b) => b.name === backend)?.rows.find((r) => canonicalModel(r.model) === canonicalModel(model));
    const last = row?.lastPull;
    if (last && last.at >= since) {
      if (last.result === 'success') return console.log(`${backend}: pulled ${model}`);
      throw new Error(`${backend}: the pull of ${model} failed: ${last.error}`);
    }
    const now = row ? pullCell(row) : '-';
    if (now !== said) console.log(`${backend}: ${model}: ${now}`);
    said = now;
  }
}

async function act(loaded: LoadedConfig, command: 'pull' | 'unload' | 'delete', backend: string, model: string, wait: boolean): Promise<void> {
  const { ok, body } = await controlRequest<{ state?: string; since?: number; note?: string }>(loaded, 'POST', `/control/${command}`, { backend, model });
  if (!ok) throw new Error(`${command} refused: ${body.error}`);
  if (command === 'pull') {
    console.log(`${backend}: ${body.state === 'pulling' ? 'pulling' : 'queued a pull of'} ${model}`);
    if (wait) await watchPull(loaded, backend, model, body.since ?? 0);
  } else {
    console.log(`${backend}: ${command === 'unload' ? 'unloaded' : 'deleted'} ${model}`);
  }
  if (body.note) console.log(`note: ${body.note}`);
}

export async function fleetCommand(args: string[], file: string): Promise<void> {
  const words = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--config');
  const [command, backend, model] = words;
  if (command === undefined) {
    const report = await getReport(loadConfig(file));
    console.log(args.includes('--json') ? JSON.stringify(report, null, 2) : fleetTable(report));
    return;
  }
  if ((command === 'pull' || command === 'unload' || command === 'delete') && backend && model) {
    return act(loadConfig(file), command, backend, model, !args.includes('--no-wait'));
  }
  console.log(FLEET_USAGE);
  if (command !== 'help') process.exitCode = 2;
}
