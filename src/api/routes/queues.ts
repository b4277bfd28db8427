/** /api/queues: pause state of queues, and resume (e.g. after the LLM budget paused `clean`). */
import { Router } from 'express';
import { z } from 'zod';
import { ALL_QUEUES, type QueueName } from '../../../queues/names';
import type { Resources } from '../../context';
import { requireRole } from '../auth';
import { parseOr400 } from '../errors';

const queueName = z.enum(ALL_QUEUES as [QueueName, ...QueueName[]]);

/** Routes under /api/queues. */
export function queuesRouter(res: Resources): Router {
  const r = Router();
  r.get('/', async (_req, reply) => {
    const queues = await Promise.all(
      ALL_QUEUES.map(async (name) => ({ name, paused: await res.queues[name].isPaused(), counts: await res.queues[name].getJobCounts() })),
    );
    reply.json({ queues });
  });
  r.post('/:name/resume', requireRole('operator'), async (req, reply) => {
    const name = parseOr400(queueName, req.params.name, 'name');
    await res.queues[name].resume();
    res.logger.info('queue resumed', { queue: name });
    reply.json({ name, paused: false });
  });
  r.post('/:name/pause', requireRole('admin'), async (req, reply) => {
    const name = parseOr400(queueName, req.params.name, 'name');
    await res.queues[name].pause();
    reply.json({ name, paused: true });
  });
  return r;
}
