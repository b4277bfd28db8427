/** Read-only views of pipelines, tasks and sources. */
import { Router } from 'express';
import { describeSources } from '../../collectors/registry';
import type { Resources } from '../../context';
import { loadPipelines } from '../../resources/pipelines';
import { listTasks } from '../../resources/tasks';

/** Routes /api/pipelines, /api/tasks, /api/sources. */
export function resourcesRouter(res: Resources): Router {
  const r = Router();
  r.get('/pipelines', async (_req, reply) => {
    const pipelines = await loadPipelines(res.config.resourcesDir);
    reply.json({ pipelines: Object.values(pipelines) });
  });
  r.get('/tasks', async (_req, reply) => {
    reply.json({ tasks: await listTasks(res.config.resourcesDir) });
  });
  r.get('/sources', (_req, reply) => {
    reply.json({ sources: describeSources() });
  });
  return r;
}
