// Reads nginx's access log file of a test stack (written every second) for one request's line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor, type Stack } from './stack.ts';

/** The JSON line of the request whose id (nginx's, or the client's X-Request-Id) is `id`, once written. */
export async function accessLogLine(stack: Stack, id: string): Promise<Record<string, unknown>> {
  let found: Record<string, unknown> | undefined;
  await waitFor(
    () => {
      // `request_id":"<id>"` ends both `"request_id":"<id>"` and `"client_request_id":"<id>"`.
      const line = readFileSync(join(stack.dir, 'logs/access.log'), 'utf8')
        .split('\n')
        .find((l) => l.includes(`request_id":"${id}"`));
      found = line === undefined ? undefined : (JSON.parse(line) as Record<string, unknown>);
      return found !== undefined;
    },
    5000,
    `the access log line of ${id}`,
  );
  return found!;
}
