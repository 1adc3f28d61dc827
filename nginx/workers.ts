// nginx's worker processes as /proc shows them (Linux): which ones a master has, and which of those still
// take connections. A worker told to stop retitles itself "worker process is shutting down" as it closes
// its listening sockets and its idle keep-alive connections.
import { readdirSync, readFileSync } from 'node:fs';

/** Pids of the processes whose parent is `masterPid`; none where /proc cannot be read. */
export function childPids(masterPid: number): number[] {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may hold spaces, so split after the last ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === masterPid) out.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** Workers of this nginx master that still take connections (not "worker process is shutting down"). */
export function liveWorkers(masterPid: number): number[] {
  return childPids(masterPid).filter((pid) => {
    try {
      return !readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('shutting down');
    } catch {
      return false;
    }
  });
}
