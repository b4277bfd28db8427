/**
 * docker-compose.multi-host.yml, checked by parsing (Docker cannot run here):
 * MinIO with a healthcheck, a one-shot bucket creator, and api + workers on
 * S3 with no data volume at all. The workers' environment, interpolated the
 * way Compose does, must make src/config.ts choose the S3 store.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../../src/config';
import { createStore } from '../../../src/storage/factory';

const REPO = path.resolve(__dirname, '..', '..', '..');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  restart?: string;
  profiles?: string[];
  deploy?: { replicas?: number };
}
const text = readFileSync(path.join(REPO, 'docker-compose.multi-host.yml'), 'utf8');
const compose = parse(text, { merge: true }) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const s = compose.services;

/** Compose-style interpolation: `${X:-d}` → d, `${X:?msg}` → a stand-in secret, `$$` → `$`. */
function interpolate(v: string): string {
  return v
    .replace(/\$\{([A-Z0-9_]+):-([^}]*)\}/g, (_, _name: string, d: string) => d)
    .replace(/\$\{([A-Z0-9_]+):\?[^}]*\}/g, (_, name: string) => `secret-${name.toLowerCase()}`)
    .replace(/\$\$/g, '$');
}

it('runs redis, minio, a bucket creator, the api and workers, in the default profile', () => {
  expect(Object.keys(s).sort()).toEqual(['api', 'createbucket', 'minio', 'redis', 'worker']);
  for (const x of Object.values(s)) expect(x.profiles).toBeUndefined();
});

it('runs MinIO (minio/minio) with the console on :9001, a healthcheck and its own volume', () => {
  const m = s.minio!;
  expect(m.image).toMatch(/^minio\/minio(:|$)/);
  expect(m.command).toEqual(['server', '/data', '--console-address', ':9001']);
  expect(m.healthcheck!.test).toEqual(['CMD', 'mc', 'ready', 'local']);
  expect(m.volumes).toEqual(['minio-data:/data']);
  expect(m.environment!.MINIO_ROOT_PASSWORD).toMatch(/^\$\{MINIO_ROOT_PASSWORD:\?/);
});

it('creates the bucket once with minio/mc after MinIO is healthy', () => {
  const c = s.createbucket!;
  expect(c.image).toMatch(/^minio\/mc(:|$)/);
  expect(c.depends_on).toEqual({ minio: { condition: 'service_healthy' } });
  expect(c.restart).toBe('no');
  const script = interpolate([...(c.entrypoint ?? []), ...(c.command ?? [])].join(' '));
  expect(script).toContain('mc alias set dataops http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"');
  expect(script).toMatch(/mc mb --ignore-existing dataops\/dataops\b/);
});

it('points api and workers at S3 on MinIO with credentials, and mounts no data volume', () => {
  for (const name of ['api', 'worker']) {
    const x = s[name]!;
    const env = x.environment!;
    expect(env.STORAGE_URL).toBe('s3://dataops/data');
    expect(env.S3_ENDPOINT).toBe('http://minio:9000');
    expect(env.S3_FORCE_PATH_STYLE).toBe('true');
    // The app's S3 key pair is MinIO's own.
    expect(env.AWS_ACCESS_KEY_ID).toBe(s.minio!.environment!.MINIO_ROOT_USER);
    expect(env.AWS_SECRET_ACCESS_KEY).toBe(s.minio!.environment!.MINIO_ROOT_PASSWORD);
    expect(interpolate(env.REDIS_URL!)).toBe('redis://:secret-redis_password@redis:6379');
    expect(x.volumes).toBeUndefined();
    expect(x.build).toEqual({ context: '.', dockerfile: 'Dockerfile.worker' });
    expect(x.depends_on).toEqual({
      redis: { condition: 'service_healthy' },
      minio: { condition: 'service_healthy' },
      createbucket: { condition: 'service_completed_successfully' },
    });
  }
  expect(s.worker!.deploy?.replicas).toBeGreaterThanOrEqual(2);
  expect(Object.keys(compose.volumes ?? {}).sort()).toEqual(['minio-data', 'redis-data']);
});

it('protects the published Redis with the same password the app uses', () => {
  const r = s.redis!;
  expect(r.command!.join(' ')).toContain('--requirepass ${REDIS_PASSWORD:?');
  expect(r.command!.join(' ')).toMatch(/--maxmemory-policy noeviction/);
  expect(interpolate(r.environment!.REDISCLI_AUTH!)).toBe('secret-redis_password');
});

it("gives the workers an environment src/config.ts accepts and that selects the S3 store", () => {
  const env = Object.fromEntries(Object.entries(s.worker!.environment!).map(([k, v]) => [k, interpolate(String(v))]));
  const config = loadConfig({ ...env, DATA_DIR: '/app/data' }, '/app');
  expect(config.storageUrl).toBe('s3://dataops/data');
  expect(config.s3).toEqual({ endpoint: 'http://minio:9000', region: 'us-east-1', forcePathStyle: true });
  const store = createStore(config);
  expect(store.kind).toBe('s3');
  expect(store.uri('processed/x.parquet')).toBe('s3://dataops/data/processed/x.parquet');
  // The bucket in STORAGE_URL is the one createbucket makes.
  expect(interpolate(s.createbucket!.command!.join(' '))).toContain(`dataops/${config.storageUrl!.split('/')[2]}`);
});
