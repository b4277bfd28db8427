/**
 * Bull Board at /admin/queues, by role. Two boards are built over the same
 * queues: a read-only one (Bull Board's `readOnlyMode` on every queue
 * adapter: the UI hides every action and the board's own API answers 405 to
 * writes) for viewers, and a writable one for operators and admins. In front
 * of both: browser auth, the same-origin check for writes, and the route
 * policy (viewers may not write at all; operators may retry, promote and
 * resume; the rest needs admin).
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import { Router, type RequestHandler } from 'express';
import type { Config } from '../../config';
import { principalOf } from '../auth';
import { browserAuth } from './area-auth';
import { jsonBody } from './input-guards';
import { BOARD_POLICY, enforcePolicy } from './route-policy';
import { sameOriginGuard } from './same-origin';

/** Where Bull Board is mounted. */
export const BOARD_PATH = '/admin/queues';

function board(queues: readonly Queue[], readOnly: boolean, title: string): RequestHandler {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(BOARD_PATH);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode: readOnly, allowRetries: !readOnly })),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: title } },
  });
  return adapter.getRouter() as RequestHandler;
}

/** The protected Bull Board router; mount it at {@link BOARD_PATH}. */
export function bullBoardRouter(queues: readonly Queue[], config: Pick<Config, 'apiTokens' | 'http'>): Router {
  const readOnlyBoard = board(queues, true, 'DataOps (read-only)');
  const writableBoard = board(queues, false, 'DataOps');
  const r = Router();
  r.use(browserAuth(config), sameOriginGuard(config), enforcePolicy(BOARD_POLICY));
  // Parse bodies here (type, size, depth and character checks); Bull Board's own parser then skips them.
  r.use(jsonBody(config.http.bodyLimit));
  r.use((req, res, next) => (principalOf(res)?.role === 'viewer' ? readOnlyBoard : writableBoard)(req, res, next));
  return r;
}
