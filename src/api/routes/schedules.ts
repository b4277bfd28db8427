/** /api/schedules: list, change and delete pipeline schedules. */
import { Router } from 'express';
import type { Resources } from '../../context';
import { nameSchema } from '../../resources/schemas';
import { deleteSchedule, listSchedules, putSchedule, scheduleBodySchema } from '../../schedules';
import { requireRole } from '../auth';
import { HttpError, parseOr400 } from '../errors';

/** Routes under /api/schedules. */
export function schedulesRouter(res: Resources): Router {
  const r = Router();
  r.get('/', async (_req, reply) => {
    reply.json({ schedules: await listSchedules(res) });
  });
  r.put('/:pipeline', requireRole('admin'), async (req, reply) => {
    const pipeline = parseOr400(nameSchema, req.params.pipeline, 'pipeline');
    const body = parseOr400(scheduleBodySchema, req.body, 'body');
    reply.json(await putSchedule(res, pipeline, body));
  });
  r.delete('/:pipeline', requireRole('admin'), async (req, reply) => {
    const pipeline = parseOr400(nameSchema, req.params.pipeline, 'pipeline');
    if (!(await deleteSchedule(res, pipeline))) throw new HttpError(404, 'not_found', `pipeline "${pipeline}" has no schedule`);
    reply.status(204).end();
  });
  return r;
}
