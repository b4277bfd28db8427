/**
 * Docker cannot run here, so the deployment files are checked by parsing:
 * docker-compose.yml (services, healthchecks, Redis flags, volumes, depends_on
 * conditions, worker scaling), Dockerfile.worker (multi-stage, non-root, tini,
 * HEALTHCHECK), the monitoring files it mounts, and .env.example against the
 * variables src/config.ts reads.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const REPO = path.resolve(__dirname, '..', '..', '..');
const read = (f: string) => readFileSync(path.join(REPO, f), 'utf8');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  env_file?: string | string[];
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string[] };
  restart?: string;
  deploy?: { replicas?: number };
  container_name?: string;
  profiles?: string[];
  stop_grace_period?: string;
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const s = compose.services;

it('has redis, api, worker and a mail catcher, plus prometheus and grafana in the monitoring profile', () => {
  expect(Object.keys(s).sort()).toEqual(['api', 'grafana', 'mailpit', 'prometheus', 'redis', 'worker']);
  for (const name of ['redis', 'api', 'worker', 'mailpit']) expect(s[name]!.profiles).toBeUndefined();
  expect(s.prometheus!.profiles).toEqual(['monitoring']);
  expect(s.grafana!.profiles).toEqual(['monitoring']);
  expect(s.mailpit!.image).toMatch(/^axllent\/mailpit/);
  expect(s.mailpit!.ports).toContain('${MAILPIT_UI_PORT:-8025}:8025');
});

it('runs Redis with AOF every second and noeviction, on a volume, with a healthcheck', () => {
  const r = s.redis!;
  expect(r.image).toBe('redis:7-alpine');
  const cmd = r.command!.join(' ');
  expect(cmd).toMatch(/--appendonly yes/);
  expect(cmd).toMatch(/--appendfsync everysec/);
  expect(cmd).toMatch(/--maxmemory-policy noeviction/);
  expect(r.volumes).toContain('redis-data:/data');
  expect(r.healthcheck!.test).toEqual(['CMD', 'redis-cli', 'ping']);
});

it('builds api and worker from Dockerfile.worker with .env, restart policy, the shared data volume and Redis healthy first', () => {
  for (const name of ['api', 'worker']) {
    const x = s[name]!;
    expect(x.build).toEqual({ context: '.', dockerfile: 'Dockerfile.worker' });
    expect(x.env_file).toBe('.env');
    expect(x.restart).toBe('unless-stopped');
    expect(x.volumes).toContain('data:/app/data');
    expect(x.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
    expect(x.environment!.REDIS_URL).toBe('redis://redis:6379');
    expect(x.healthcheck!.test[0]).toBe('CMD');
    expect(x.stop_grace_period).toBeDefined();
  }
  expect(s.api!.command).toEqual(['node', 'dist/src/cli/main.js', 'api']);
  expect(s.api!.environment!.HOST).toBe('0.0.0.0');
  expect(s.api!.ports).toEqual(['${API_PORT:-3000}:3000']);
  expect(s.api!.healthcheck!.test.join(' ')).toMatch(/\/healthz/);
  expect(s.worker!.command).toEqual(['node', 'dist/src/cli/main.js', 'worker']);
  for (const name of ['redis', 'mailpit', 'prometheus', 'grafana']) expect(s[name]!.restart).toBe('unless-stopped');
  expect(s.prometheus!.depends_on).toEqual({ api: { condition: 'service_healthy' } });
});

it('lets the worker scale: replicas set, no container_name, no fixed host ports', () => {
  const w = s.worker!;
  expect(w.deploy!.replicas).toBe(2);
  expect(w.container_name).toBeUndefined();
  expect(w.ports).toBeUndefined();
  for (const x of Object.values(s)) expect(x.container_name).toBeUndefined();
});

it('declares every named volume it uses, and mounts monitoring files that exist', () => {
  const named = new Set<string>();
  for (const x of Object.values(s)) {
    for (const v of x.volumes ?? []) {
      const src = v.split(':')[0]!;
      if (src.startsWith('./')) expect(existsSync(path.join(REPO, src))).toBe(true);
      else named.add(src);
    }
  }
  expect([...named].sort()).toEqual(Object.keys(compose.volumes).sort());
  const prom = parse(read('deploy/prometheus.yml')) as { scrape_configs: Array<{ static_configs: Array<{ targets: string[] }>; metrics_path: string }> };
  expect(prom.scrape_configs[0]!.static_configs[0]!.targets).toEqual(['api:3000']);
  expect(prom.scrape_configs[0]!.metrics_path).toBe('/metrics');
  const dash = JSON.parse(read('deploy/grafana/dashboards/dataops.json')) as { panels: Array<{ targets: Array<{ expr: string }> }> };
  const exprs = dash.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
  for (const m of ['dataops_runs_total', 'dataops_queue_jobs', 'dataops_job_duration_seconds_bucket', 'dataops_rows_total', 'dataops_llm_tokens_total', 'dataops_llm_breaker_state', 'dataops_notices_total']) {
    expect(exprs).toContain(m);
  }
});

it('Dockerfile.worker is multi-stage (dev build, production-only runtime), non-root, under tini, with a HEALTHCHECK', () => {
  const d = read('Dockerfile.worker');
  const froms = d.match(/^FROM .+$/gm) ?? [];
  expect(froms).toEqual(['FROM node:20-slim AS build', 'FROM node:20-slim AS runtime']);
  const [build, runtime] = d.split(/^FROM node:20-slim AS runtime$/m) as [string, string];
  expect(build).toMatch(/^RUN npm ci --no-audit --no-fund$/m);
  expect(build).toMatch(/^RUN npm run build$/m);
  expect(runtime).toMatch(/^RUN npm ci --omit=dev\b/m);
  expect(runtime).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
  expect(runtime).toMatch(/^COPY resources \.\/resources$/m);
  expect(runtime).toMatch(/^USER node$/m);
  expect(runtime).toMatch(/apt-get install -y --no-install-recommends tini/);
  expect(runtime).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--"\]$/m);
  expect(runtime).toMatch(/^HEALTHCHECK .*\\\n\s+CMD \["node", "dist\/src\/ops\/healthcheck\.js"\]$/m);
  expect(runtime).not.toMatch(/tsx/);
  // The health check script is part of the compiled build.
  expect(existsSync(path.join(REPO, 'src/ops/healthcheck.ts'))).toBe(true);
  const ignore = read('.dockerignore');
  for (const x of ['node_modules', 'data', '.env', 'dist']) expect(ignore.split('\n')).toContain(x);
});

it('.env.example lists every variable src/config.ts reads, each with a comment', () => {
  const schema = read('src/config.ts').match(/const envSchema = z\.object\(\{([\s\S]*?)\n\}\);/)![1]!;
  const vars = [...schema.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!);
  expect(vars.length).toBeGreaterThan(30);
  const lines = read('.env.example').split('\n');
  for (const v of vars) {
    const i = lines.findIndex((l) => l.startsWith(`${v}=`));
    expect({ v, found: i >= 0 }).toEqual({ v, found: true });
    expect({ v, comment: lines[i - 1]!.startsWith('#') }).toEqual({ v, comment: true });
  }
});
