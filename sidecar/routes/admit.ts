// POST /admit: njs asks, for every generation and embedding request, whether it may go on. The
// input guard answers: allow (maybe with a redacted body), or block with a localized reason.
import type { FastifyPluginAsync } from 'fastify';
import { ADMIT_HEADER_ROUTE } from '../../njs/contract.ts';
import type { InputGuard } from '../guard/input-guard.ts';
import { DEFAULT_LOCALE, supportedAcceptLanguage } from '../language/locales.ts';

export interface AdmitOptions {
  /** Read per request: a config reload swaps the guard; none while admission is off. */
  guard: () => InputGuard | undefined;
}

export const admitRoutes: FastifyPluginAsync<AdmitOptions> = async (app, { guard }) => {
  // The body is the client's request as sent (njs already checked it is JSON); the guard parses it.
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 64 * 1024 * 1024 }, (_req, body, done) =>
    done(null, body),
  );
  app.post('/admit', async (req) => {
    const route = String(req.headers[ADMIT_HEADER_ROUTE.toLowerCase()] ?? '');
    const g = guard();
    if (!g) return { allow: true, lang: supportedAcceptLanguage(req.headers['accept-language']) ?? DEFAULT_LOCALE };
    return g.admit(route, String(req.body ?? ''), req.headers['accept-language']).verdict;
  });
};
