// POST /admit: njs asks, for every generation and embedding request, whether it may go on.
// The guard scanners plug in here; until then every request is admitted.
import type { FastifyPluginAsync } from 'fastify';
import type { AdmitVerdict } from '../../njs/contract.ts';
import { acceptedLanguage } from '../language/accept-language.ts';

export const admitRoutes: FastifyPluginAsync = async (app) => {
  // The body is the client's request as sent; it is not parsed here until a scanner needs it.
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 64 * 1024 * 1024 }, (_req, body, done) =>
    done(null, body),
  );
  app.post('/admit', async (req): Promise<AdmitVerdict> => {
    return { allow: true, lang: acceptedLanguage(req.headers['accept-language']) };
  });
};
