/** /api/dlq: list (viewer), retry (operator) and discard (admin) dead letters. */
import { Router } from 'express';
import { z } from 'zod';
import { runIdSchema } from '../../../queues/catalog';
import type { Resources } from '../../context';
import { DEAD_LETTER_SOURCES, DEAD_LETTER_STATUSES, deadLetterIdSchema, DlqConflictError, getLetter, listLetters, reconcileLetter, removeLetter, retryLetter, summarize } from '../../dlq';
import { NotFoundError } from '../../errors';
import { principalOf, requireRole } from '../auth';
import { HttpError, parseOr400 } from '../errors';

const listQuery = z
  .object({
    runId: runIdSchema.optional(),
    queue: z.enum(DEAD_LETTER_SOURCES).optional(),
    status: z.enum(DEAD_LETTER_STATUSES).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();

async function found(res: Resources, id: string) {
  const letter = await getLetter(res, id);
  if (!letter) throw new HttpError(404, 'not_found', `no dead letter "${id}"`);
  return reconcileLetter(res, letter);
}

/** Routes under /api/dlq. */
export function dlqRouter(res: Resources): Router {
  const r = Router();
  r.get('/', async (req, reply) => {
    const q = parseOr400(listQuery, req.query, 'query');
    const page = await listLetters(res, q);
    const letters = await Promise.all(page.letters.map((l) => reconcileLetter(res, l)));
    reply.json({ deadLetters: letters.map(summarize), total: page.total, limit: q.limit, offset: q.offset });
  });
  r.get('/:id', async (req, reply) => {
    const id = parseOr400(deadLetterIdSchema, req.params.id, 'id');
    reply.json(await found(res, id));
  });
  r.post('/:id/retry', requireRole('operator'), async (req, reply) => {
    const id = parseOr400(deadLetterIdSchema, req.params.id, 'id');
    const p = principalOf(reply);
    try {
      const out = await retryLetter(res, id, p ? `api:${p.role}:${p.tokenId}` : 'api');
      reply.status(202).json({ deadLetter: summarize(out.letter), retry: out.retry });
    } catch (err) {
      if (err instanceof NotFoundError) throw new HttpError(404, 'not_found', err.message);
      if (err instanceof DlqConflictError) throw new HttpError(409, 'conflict', err.message);
      throw err;
    }
  });
  r.delete('/:id', requireRole('admin'), async (req, reply) => {
    const id = parseOr400(deadLetterIdSchema, req.params.id, 'id');
    if (!(await removeLetter(res, id))) throw new HttpError(404, 'not_found', `no dead letter "${id}"`);
    res.logger.info('dead letter discarded', { dlqId: id, by: principalOf(reply)?.tokenId });
    reply.json({ id, discarded: true });
  });
  return r;
}
