/** /api/runs: trigger and inspect runs. */
import { Router } from 'express';
import { z } from 'zod';
import { runIdSchema, runOverridesSchema } from '../../../queues/catalog';
import type { Resources } from '../../context';
import { NotFoundError } from '../../errors';
import { nameSchema } from '../../resources/schemas';
import type { RunStatus } from '../../runs/run-store';
import { startRun } from '../../runs/start-run';
import { requireRole } from '../auth';
import { HttpError, parseOr400 } from '../errors';

const startBody = z.object({ pipeline: nameSchema, overrides: runOverridesSchema.optional() }).strict();
const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(20), offset: z.coerce.number().int().min(0).default(0) }).strict();

/** Reconcile the stored state with BullMQ's view (a job that failed outside our handlers). */
export async function runStatus(res: Resources, runId: string): Promise<RunStatus | null> {
  const status = await res.runs.get(runId);
  if (!status || status.state === 'completed' || status.state === 'failed') return status;
  const job = await res.queues.pipeline.getJob(runId);
  if (job && (await job.getState()) === 'failed') {
    return { ...status, state: 'failed', error: status.error ?? { message: job.failedReason ?? 'failed' } };
  }
  return status;
}

/** Routes under /api/runs. */
export function runsRouter(res: Resources): Router {
  const r = Router();
  r.post('/', requireRole('operator'), async (req, reply) => {
    if (!req.is('application/json')) throw new HttpError(415, 'unsupported_media_type', 'send the body as application/json');
    const body = parseOr400(startBody, req.body, 'body');
    try {
      const { runId } = await startRun(res, { pipeline: body.pipeline, overrides: body.overrides, trigger: 'api' });
      reply.status(202).json({ runId, statusUrl: `/api/runs/${runId}` });
    } catch (err) {
      if (err instanceof NotFoundError && /pipeline/i.test(err.message)) throw new HttpError(404, 'unknown_pipeline', err.message);
      throw err;
    }
  });
  r.get('/', async (req, reply) => {
    const q = parseOr400(listQuery, req.query, 'query');
    reply.json({ runs: await res.runs.list(q.limit, q.offset) });
  });
  r.get('/:runId', async (req, reply) => {
    const runId = parseOr400(runIdSchema, req.params.runId, 'runId');
    const status = await runStatus(res, runId);
    if (!status) throw new HttpError(404, 'not_found', `no run "${runId}"`);
    reply.json(status);
  });
  return r;
}
