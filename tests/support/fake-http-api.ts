/**
 * A real HTTP server on 127.0.0.1 serving a paginated JSON API in page,
 * offset and cursor styles, with fault injection (status codes with
 * Retry-After, slow responses, dropped connections) and an optional header
 * auth check. Used by the `http` collector tests.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a fault does to one request. */
export type Fault =
  | { kind: 'status'; status: number; retryAfter?: string; body?: unknown }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'reset' };

/** A request as the server saw it. */
export interface SeenRequest {
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  at: number;
}

/** Faults applied to the next matching requests, in order of injection. */
export class FaultInjector {
  private rules: Array<{ match: (r: SeenRequest) => boolean; fault: Fault; left: number }> = [];
  /** Apply `fault` to the next `times` requests that `match` (default: every request). */
  inject(fault: Fault, opts: { times?: number; match?: (r: SeenRequest) => boolean } = {}): void {
    this.rules.push({ fault, left: opts.times ?? 1, match: opts.match ?? (() => true) });
  }
  /** The fault for this request, if any (consumes one use). */
  take(r: SeenRequest): Fault | undefined {
    const rule = this.rules.find((x) => x.left > 0 && x.match(r));
    if (!rule) return undefined;
    rule.left--;
    return rule.fault;
  }
}

/** A loopback server with request log and faults; `handle` answers requests that no fault took. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: SeenRequest[];
  faults: FaultInjector;
  close(): Promise<void>;
}

/** Start a loopback JSON server. `handle` returns [status, body]. */
export async function startLoopbackServer(handle: (r: SeenRequest) => [number, unknown]): Promise<LoopbackServer> {
  const requests: SeenRequest[] = [];
  const faults = new FaultInjector();
  const timers = new Set<NodeJS.Timeout>();
  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const seen: SeenRequest = { path: u.pathname, query: Object.fromEntries(u.searchParams), headers: req.headers, at: Date.now() };
    requests.push(seen);
    const fault = faults.take(seen);
    if (fault?.kind === 'reset') return void req.socket.destroy();
    if (fault?.kind === 'status') {
      return send(res, fault.status, fault.body ?? { error: `injected ${fault.status}` }, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
    }
    const answer = () => {
      const [status, body] = handle(seen);
      send(res, status, body);
    };
    if (fault?.kind === 'slow') {
      const t = setTimeout(() => {
        timers.delete(t);
        answer();
      }, fault.delayMs);
      timers.add(t);
      return;
    }
    answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    faults,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One item of the fake API. Text sits at `attributes.body` to exercise dot paths. */
export interface FakeItem {
  id: number;
  attributes: { body: string | null; lang: string };
  created: string;
  score: number;
}

/** The fake paginated API. */
export interface FakeHttpApi extends LoopbackServer {
  items: FakeItem[];
}

/** Options of {@link startFakeHttpApi}. */
export interface FakeHttpApiOptions {
  /** How many items the API holds. Default 95. */
  items?: number;
  /** Require this header value (e.g. `{ name: 'authorization', value: 'Bearer s3cret' }`); else 401. */
  auth?: { name: string; value: string };
}

/**
 * Routes: `/page?page&per_page` → `{ data: { items }, meta }`; `/offset?offset&limit` →
 * `{ items, total }`; `/cursor?cursor&limit` → `{ results, paging: { next } }`;
 * `/all` → the bare array.
 */
export async function startFakeHttpApi(opts: FakeHttpApiOptions = {}): Promise<FakeHttpApi> {
  const items: FakeItem[] = Array.from({ length: opts.items ?? 95 }, (_, i) => ({
    id: i + 1,
    attributes: { body: i % 10 === 9 ? null : `Item ${i + 1}: "quoted", with commas\nand 한국어 텍스트`, lang: i % 2 ? 'ko' : 'en' },
    created: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(),
    score: i % 5,
  }));
  const num = (v: string | undefined, d: number) => (v === undefined ? d : Number(v));
  const server = await startLoopbackServer((r) => {
    if (opts.auth && r.headers[opts.auth.name.toLowerCase()] !== opts.auth.value) return [401, { error: 'unauthorized' }];
    if (r.path === '/all') return [200, items];
    if (r.path === '/page') {
      const page = num(r.query.page, 1);
      const size = num(r.query.per_page, 10);
      return [200, { data: { items: items.slice((page - 1) * size, page * size) }, meta: { page, total: items.length } }];
    }
    if (r.path === '/offset') {
      const offset = num(r.query.offset, 0);
      return [200, { items: items.slice(offset, offset + num(r.query.limit, 10)), total: items.length }];
    }
    if (r.path === '/cursor') {
      const offset = r.query.cursor ? Number(Buffer.from(r.query.cursor, 'base64url').toString()) : 0;
      const end = offset + num(r.query.limit, 10);
      const next = end < items.length ? Buffer.from(String(end)).toString('base64url') : null;
      return [200, { results: items.slice(offset, end), paging: { next } }];
    }
    return [404, { error: `no route ${r.path}` }];
  });
  return { ...server, items };
}
