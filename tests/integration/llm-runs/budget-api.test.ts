/** GET /api/llm/budget shows today's spend; an admin resets it. */
import request from 'supertest';
import { addSpend } from '../../../src/cleaning/llm/budget';
import { auth, createHarness, type Harness } from '../../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ env: { LLM_DAILY_BUDGET_USD: '2' } });
});
afterAll(async () => {
  await h.close();
});

it('reports the spend against the budget, and resets it for admins only', async () => {
  await addSpend(h.res.redis, `${h.res.keyPrefix}:llm`, 2.5);
  const before = (await request(h.app).get('/api/llm/budget').set(auth('viewer')).expect(200)).body;
  expect(before).toEqual(expect.objectContaining({ spentUsd: 2.5, limitUsd: 2, reached: true }));
  await request(h.app).post('/api/llm/budget/reset').set(auth('operator')).expect(403);
  const after = (await request(h.app).post('/api/llm/budget/reset').set(auth('admin')).expect(200)).body;
  expect(after).toEqual(expect.objectContaining({ spentUsd: 0, limitUsd: 2, reached: false }));
});
