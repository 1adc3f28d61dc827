// POST /scan/output: njs hands over a whole (non-streamed) answer before the client sees it.
import type { FastifyPluginAsync } from 'fastify';
import { ADMIT_HEADER_ROUTE, OUTPUT_FLAGGED_HEADER, SCAN_HEADER_LANG } from '../../core/contract.ts';
import type { AnswerScanner } from '../guard/scan-pool.ts';
import { DEFAULT_LOCALE } from '../language/locales.ts';
import type { Telemetry } from '../telemetry/telemetry.ts';
import type { HeldBodies } from './held-bodies.ts';

export interface ScanOutputOptions {
  /** Read per request: a config reload swaps the guard; none while whole answers are not scanned. */
  guard: () => AnswerScanner | undefined;
  telemetry: Telemetry;
  held: HeldBodies;
}

export const scanOutputRoutes: FastifyPluginAsync<ScanOutputOptions> = async (app, { guard, telemetry, held }) => {
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 64 * 1024 * 1024 }, (_req, body, done) =>
    done(null, body),
  );
  // Set by nginx's /_scan_output location from njs's variables.
  const headers = {
    type: 'object',
    properties: { [ADMIT_HEADER_ROUTE.toLowerCase()]: { type: 'string', maxLength: 64 }, [SCAN_HEADER_LANG.toLowerCase()]: { type: 'string', maxLength: 16 } },
  };
  app.post('/scan/output', { schema: { headers } }, async (req) => {
    const lang = String(req.headers[SCAN_HEADER_LANG.toLowerCase()] || DEFAULT_LOCALE);
    const g = guard();
    if (!g) return { allow: true, lang };
    const verdict = await g.scan(String(req.headers[ADMIT_HEADER_ROUTE.toLowerCase()] ?? ''), String(req.body ?? ''), lang);
    telemetry.observeOutput(verdict);
    if (verdict.guard) req.log.info({ guard: verdict.guard }, 'guard blocked an answer');
    const flagged = verdict.headers?.[OUTPUT_FLAGGED_HEADER];
    if (flagged) req.log.info({ flagged }, 'guard flagged an answer (monitor)');
    return held.reply(verdict);
  });
};
