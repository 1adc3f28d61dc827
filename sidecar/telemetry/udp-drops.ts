// Datagrams the kernel dropped for a UDP socket because its receive buffer was full (Linux
// /proc/net/udp, last column): the access-log lines that never reached the sidecar.
import { readFileSync } from 'node:fs';

/** Drops of the IPv4 socket bound to 127.0.0.1:port, from /proc/net/udp's text; undefined if absent. */
export function dropsFor(procNetUdp: string, port: number): number | undefined {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const line of procNetUdp.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols[1] === local) return Number(cols[cols.length - 1]);
  }
  return undefined;
}

export function readDrops(port: number): number | undefined {
  try {
    return dropsFor(readFileSync('/proc/net/udp', 'utf8'), port);
  } catch {
    return undefined;
  }
}
