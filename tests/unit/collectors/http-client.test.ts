/** Pure parts of the shared HTTP client: Retry-After parsing, backoff, URL masking. */
import { backoffMs, parseRetryAfter, safeUrl } from '../../../src/collectors/http-client';

it('parses Retry-After as seconds or as an HTTP date', () => {
  const now = Date.parse('2024-01-01T00:00:00Z');
  expect(parseRetryAfter('3', now)).toBe(3000);
  expect(parseRetryAfter('0.5', now)).toBe(500);
  expect(parseRetryAfter('Mon, 01 Jan 2024 00:00:07 GMT', now)).toBe(7000);
  expect(parseRetryAfter('Sun, 31 Dec 2023 23:00:00 GMT', now)).toBe(0);
  expect(parseRetryAfter('soon', now)).toBeUndefined();
  expect(parseRetryAfter(null, now)).toBeUndefined();
});

it('backs off exponentially with jitter in [0.5, 1) of the step', () => {
  expect(backoffMs(1, 100, () => 0)).toBe(50);
  expect(backoffMs(1, 100, () => 0.999)).toBe(100);
  expect(backoffMs(3, 100, () => 0)).toBe(200);
  expect(backoffMs(3, 100, () => 0.999)).toBe(400);
});

it('masks sensitive query values, URL passwords and known secrets', () => {
  expect(safeUrl('https://api.example.com/x?page=2&api_key=abc123&access_token=t0k3n')).not.toMatch(/abc123|t0k3n/);
  expect(safeUrl('https://user:hunter2@example.com/x')).not.toContain('hunter2');
  expect(safeUrl('https://example.com/tenant/s3cr3t-path-part/items', ['s3cr3t-path-part'])).toBe('https://example.com/tenant/[REDACTED]/items');
  expect(safeUrl('https://example.com/items?page=2')).toBe('https://example.com/items?page=2');
});
