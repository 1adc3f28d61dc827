// What the report says about where and how it was made: command line, code version, machine, software.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { relative } from 'node:path';

function sh(cmd: string, args: string[]): string {
  // nginx -V and wrk -v print to stderr (and wrk exits 1): keep both streams, whatever the status.
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 5000 });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
}

export function versions(): { nginx: string; openssl: string; njs: string; node: string; wrk: string } {
  const nginxV = sh('nginx', ['-V']);
  const njsModule = sh('dpkg-query', ['-W', '-f=${Version}', 'libnginx-mod-http-js']);
  return {
    nginx: /nginx version: nginx\/(\S+)/.exec(nginxV)?.[1] ?? 'unknown',
    openssl: /built with (OpenSSL [^\n]+)/.exec(nginxV)?.[1] ?? 'unknown',
    njs: /^\d/.test(njsModule) ? `${njsModule} (libnginx-mod-http-js)` : `${sh('njs', ['-v'])} (njs CLI)`,
    node: process.version,
    wrk: sh('wrk', ['-v']).split('\n')[0].replace(/ Copyright.*/, ''),
  };
}

export function machine(): string {
  const model = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  return `${os.availableParallelism()} cores (nproc), CPU "${model}", ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Linux ${os.release()}`;
}

/** The code measured: commit, and how far the working tree is from it (other people may be editing it). */
export function codeVersion(root: string): string {
  const commit = sh('git', ['-C', root, 'log', '-1', '--format=%h %s']);
  const dirty = sh('git', ['-C', root, 'status', '--porcelain']).split('\n').filter(Boolean);
  const changed = dirty.filter((l) => !l.startsWith('??')).length;
  const untracked = dirty.length - changed;
  return `git ${commit || 'unknown'}${dirty.length ? ` + working tree (${changed} modified, ${untracked} untracked paths)` : ' (clean tree)'}`;
}

/** The command as the user typed it, with the BENCH_* variables that changed the run. */
export function commandLine(root: string): string {
  const vars = Object.entries(process.env)
    .filter(([k]) => k.startsWith('BENCH_'))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const args = process.argv.slice(2).join(' ');
  const cmd = process.env.npm_lifecycle_event === 'bench'
    ? `npm run bench${args ? ` -- ${args}` : ''}`
    : `npx tsx ${relative(root, process.argv[1]) || 'bench/run.ts'}${args ? ` ${args}` : ''}`;
  return vars ? `${vars} ${cmd}` : cmd;
}
