/** /api/llm/budget: today's cluster-wide LLM spend, and an admin reset. */
import { Router } from 'express';
import { budgetStatus, resetBudget } from '../../cleaning/llm';
import type { Resources } from '../../context';
import { requireRole } from '../auth';

/** Routes under /api/llm. */
export function llmRouter(res: Resources): Router {
  const r = Router();
  const prefix = `${res.keyPrefix}:llm`;
  r.get('/budget', async (_req, reply) => {
    reply.json(await budgetStatus(res.redis, prefix, res.config.llm));
  });
  // Resetting today's spend lets paused work continue (then POST /api/queues/clean/resume): it spends money, so admin only.
  r.post('/budget/reset', requireRole('admin'), async (_req, reply) => {
    const status = await resetBudget(res.redis, prefix, res.config.llm);
    res.logger.warn('LLM daily budget reset', { spentUsd: status.spentUsd, limitUsd: status.limitUsd });
    reply.json(status);
  });
  return r;
}
