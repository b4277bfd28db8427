/** Pure parts of the security layer: role policy, JSON depth/characters, same-origin check. */
import type { Request } from 'express';
import { API_POLICY, BOARD_POLICY, crossOriginProblem, jsonDepth, jsonProblem, requiredRole, unsafeChar } from '../../../src/api/security';

describe('route policy', () => {
  it.each([
    ['GET', '/api/schedules', 'viewer'],
    ['POST', '/api/runs', 'operator'],
    ['POST', '/API/Runs/', 'operator'],
    ['POST', '/api/dlq/dl-1/retry', 'operator'],
    ['POST', '/api/queues/clean/resume', 'operator'],
    ['POST', '/api/queues/clean/pause', 'admin'],
    ['PUT', '/api/schedules/x', 'admin'],
    ['DELETE', '/api/dlq/dl-1', 'admin'],
    ['POST', '/api/some-new-write', 'admin'],
    ['PATCH', '/api/runs', 'admin'],
    ['POST', '/api/runs/x', 'admin'],
  ] as const)('%s %s needs %s', (method, p, role) => {
    expect(requiredRole(API_POLICY, method, p)).toBe(role);
  });
  it.each([
    ['GET', '/admin/queues/api/queues', 'viewer'],
    ['PUT', '/admin/queues/api/queues/clean/42/retry', 'operator'],
    ['PUT', '/admin/queues/api/queues/clean/retry/failed', 'operator'],
    ['PUT', '/admin/queues/api/queues/resume', 'operator'],
    ['PUT', '/admin/queues/api/queues/clean/promote', 'operator'],
    ['PUT', '/admin/queues/api/queues/clean/clean/completed', 'admin'],
    ['PUT', '/admin/queues/api/queues/clean/42/clean', 'admin'],
    ['PUT', '/admin/queues/api/queues/clean/obliterate', 'admin'],
    ['POST', '/admin/queues/api/queues/clean/add', 'admin'],
    ['PATCH', '/admin/queues/api/queues/clean/42/update-data', 'admin'],
  ] as const)('board %s %s needs %s', (method, p, role) => {
    expect(requiredRole(BOARD_POLICY, method, p)).toBe(role);
  });
});

describe('JSON guards', () => {
  it('measures nesting outside strings', () => {
    expect(jsonDepth(Buffer.from('{"a":[1,{"b":2}]}'))).toBe(3);
    expect(jsonDepth(Buffer.from('{"a":"[[[[[[[[[[[[[[[[[[[[[[[[[["}'))).toBe(1);
    expect(jsonDepth(Buffer.from('{"a":"\\"[[[["}'))).toBe(1);
    expect(jsonDepth(Buffer.from('['.repeat(20) + ']'.repeat(20)))).toBe(20);
    expect(jsonDepth(Buffer.from('['.repeat(100_000)))).toBe(21); // stops early
  });
  it('names the field with a control, bidi or prototype problem', () => {
    expect(jsonProblem({ a: ['ok', 'x\u202Ey'] })).toBe('body.a[1]: contains the control or bidi character U+202E');
    expect(jsonProblem({ a: { 'k\u0000': 1 } })).toMatch(/body\.a: a key contains .*U\+0000/);
    expect(jsonProblem(JSON.parse('{"o":{"__proto__":{}}}'))).toMatch(/body\.o: the key "__proto__"/);
    expect(jsonProblem({ text: 'tabs\tand\nnewlines and 한국어 and émoji 🎉' })).toBeNull();
  });
  it('flags unsafe characters only', () => {
    expect(unsafeChar('normal-name_1')).toBeNull();
    expect(unsafeChar('a\u2067b')).toBe('U+2067');
    expect(unsafeChar('a\u007fb')).toBe('U+007F');
  });
});

describe('same-origin check', () => {
  const req = (headers: Record<string, string>) => ({ get: (name: string) => headers[name.toLowerCase()] }) as unknown as Request;
  const host = { host: '127.0.0.1:3000' };
  it.each([
    [{ ...host, origin: 'http://127.0.0.1:3000', 'sec-fetch-site': 'same-origin' }, null],
    [{ ...host, referer: 'http://127.0.0.1:3000/admin/queues/queue/clean' }, null],
    [{ ...host, 'sec-fetch-site': 'same-origin' }, null],
    [{ ...host, authorization: 'Bearer abc' }, null],
    [{ host: 'internal:3000', origin: 'https://ops.example.com' }, null],
    [{ ...host, origin: 'http://evil.example' }, /Origin/],
    [{ ...host, origin: 'http://127.0.0.1:3000', 'sec-fetch-site': 'same-site' }, /Sec-Fetch-Site/],
    [{ ...host, origin: 'null' }, /null/],
    [{ ...host, referer: 'http://127.0.0.1.evil.example/' }, /Referer/],
    [{ ...host, authorization: 'Basic dTpw' }, /Origin or Referer/],
  ])('%j', (headers, want) => {
    const problem = crossOriginProblem(req(headers), ['ops.example.com']);
    if (want === null) expect(problem).toBeNull();
    else expect(problem).toMatch(want);
  });
});
