/** /api/datasets and /api/runs/:runId/lineage: the catalog and lineage. */
import { Router } from 'express';
import { z } from 'zod';
import { runIdSchema } from '../../../queues/catalog';
import { buildLineage, traceFile } from '../../catalog';
import type { Resources } from '../../context';
import { HttpError, parseOr400 } from '../errors';

const datasetsQuery = z
  .object({
    pipeline: z.string().max(64).optional(),
    kind: z.enum(['raw', 'part', 'processed', 'output', 'report']).optional(),
    runId: runIdSchema.optional(),
    since: z.coerce.date().optional(),
    until: z.coerce.date().optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    offset: z.coerce.number().int().min(0).default(0),
    sha256: z.string().regex(/^[a-f0-9]{64}$/, 'expected 64 lowercase hex characters').optional(),
    path: z.string().min(1).max(1024).optional(),
  })
  .strict();

/** Routes /api/datasets and /api/runs/:runId/lineage. */
export function datasetsRouter(res: Resources): Router {
  const catalog = res.catalog;
  const r = Router();
  r.get('/datasets', async (req, reply) => {
    const q = parseOr400(datasetsQuery, req.query, 'query');
    if (q.sha256 || q.path) {
      // Reverse lineage: from a file (by sha256 or path) back to its run and source.
      const trace = await traceFile(catalog, (q.sha256 ?? q.path)!);
      if (!trace) throw new HttpError(404, 'not_found', `no dataset with ${q.sha256 ? `sha256 ${q.sha256}` : `path ${q.path}`}`);
      reply.json(trace);
      return;
    }
    reply.json({ datasets: await catalog.query(q) });
  });
  r.get('/runs/:runId/lineage', async (req, reply) => {
    const runId = parseOr400(runIdSchema, req.params.runId, 'runId');
    const graph = await buildLineage(catalog, runId);
    if (!graph) throw new HttpError(404, 'not_found', `no lineage for run "${runId}"`);
    reply.json(graph);
  });
  return r;
}
