// Rewritten bodies (a redacted prompt, a redacted whole answer) wait here for njs to fetch them:
// the verdict carries only a reference, so it fits nginx's small verdict buffer at any body size, and
// only the rare rewritten body goes through the large one (HELD_BODY_URI). Each body is fetched once;
// one njs never fetches (its client left) expires.
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { AdmitVerdict, GuardVerdict } from '../../core/contract.ts';

/** Long enough for njs to ask right after its verdict, short enough that an abandoned body goes soon. */
const HOLD_MS = 30_000;

export class HeldBodies {
  private readonly bodies = new Map<string, { text: string; until: number }>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** The verdict to send njs: a rewritten body is held and referenced. */
  reply(verdict: GuardVerdict): AdmitVerdict {
    const { body, ...rest } = verdict;
    if (body === undefined) return rest;
    this.expire();
    const ref = randomUUID();
    this.bodies.set(ref, { text: body, until: this.clock() + HOLD_MS });
    return { ...rest, bodyRef: ref };
  }

  take(ref: string): string | undefined {
    const held = this.bodies.get(ref);
    this.bodies.delete(ref);
    return held && held.until >= this.clock() ? held.text : undefined;
  }

  get size(): number {
    return this.bodies.size;
  }

  private expire(): void {
    const now = this.clock();
    for (const [ref, held] of this.bodies) if (held.until < now) this.bodies.delete(ref);
  }
}

export const heldBodyRoutes: FastifyPluginAsync<{ held: HeldBodies }> = async (app, { held }) => {
  app.get('/held', { schema: { querystring: { type: 'object', required: ['ref'], properties: { ref: { type: 'string', maxLength: 64 } } } } }, async (req, reply) => {
    const text = held.take((req.query as { ref: string }).ref);
    if (text === undefined) return reply.code(404).send({ error: 'no such body' });
    return reply.type('application/json').send(text);
  });
};
