// The drain before a reload, in nginx.conf. At a reload nginx 1.22's old workers close their idle
// keep-alive connections at once, and a connection right after its answer, whatever that answer's
// headers promised; an HTTP/1.1 client that writes its next request onto one of them in that moment gets a
// reset (HTTP/1.1 has no way to warn it, unlike HTTP/2's GOAWAY). So while the drain flag file exists,
// every HTTP/1.x answer also says `Connection: close`: the clients close those connections themselves
// and the reload finds none of theirs idle. The flag is a file because nginx can look at one per request
// without a reload; the gateway creates it, reloads, and removes it (nginx/control.ts).
import { q } from './fleet-conf.ts';
import { V } from './variables.ts';

/** The flag's file name in the runtime folder. */
export const DRAIN_FLAG = 'draining';

/** http level: the Connection value to add, "" (none) unless draining over HTTP/1.x (HTTP/2 forbids the header). */
export const DRAIN_MAP = `    map "${V.gw_draining}:$server_protocol" ${V.gw_drain_connection} {
        "~^1:HTTP/1" close;
        default "";
    }`;

/** Server level: look for the flag (a stat per request), and say close while it is there. */
export function renderDrainCheck(runtimeDir: string): string {
  return `        set ${V.gw_draining} "";
        if (-f ${q(`${runtimeDir}/${DRAIN_FLAG}`)}) {
            set ${V.gw_draining} 1;
        }
        add_header Connection ${V.gw_drain_connection} always;`;
}
