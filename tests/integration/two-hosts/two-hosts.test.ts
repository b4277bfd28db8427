/**
 * Two "hosts" that share nothing but the network: a second worker runs in its
 * own network namespace (veth pair, private /30), with its own empty DATA_DIR,
 * and reaches only Redis and the S3 server on the host-side veth address. The
 * chunks of one run are processed on both hosts and the run completes exactly.
 *
 * Skipped, with the reason printed, where namespaces cannot be created.
 */
import fs from 'node:fs/promises';
import os, { hostname } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { S3Client } from '@aws-sdk/client-s3';
import type { ChunkResult } from '../../../queues/catalog';
import { AuditLog } from '../../../src/audit/audit-log';
import { silentLogger } from '../../../src/logger';
import { duckQuery, sqlPath } from '../../support/duckdb';
import { auth, createHarness, type Harness } from '../../support/harness';
import { createNetns, probeNetns, type Netns } from '../../support/netns';
import { spawnWorker, type WorkerProcess } from '../../support/worker-process';
import { downloadObject, listLocalFiles, S3RVER_CREDENTIALS, useS3rverCredentials } from '../s3/s3-helpers';
import { startDualS3, startOwnRedis, type DualS3, type OwnRedis } from './services';
import { spawnNsWorker, waitReady } from './ns-worker';

const support = probeNetns();
if (!support.ok) console.warn(`two-hosts test SKIPPED: ${support.reason}`);
const describeTwoHosts = support.ok ? describe : describe.skip;

const BUCKET = 'dataops-2h';
const ROWS = 6000;
const CHUNK = 300;

describeTwoHosts('a run whose chunks are cleaned on two hosts sharing only Redis and S3', () => {
  let ns: Netns | undefined;
  let redis: OwnRedis | undefined;
  let s3: DualS3 | undefined;
  let h: Harness | undefined;
  let tmp = '';
  let restoreEnv: (() => void) | undefined;
  const procs: WorkerProcess[] = [];
  let hostWorker: WorkerProcess;
  let nsWorker: WorkerProcess;
  let hostData = '';
  let nsData = '';

  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'test-two-hosts-'));
    ns = await createNetns();
    redis = await startOwnRedis([ns.hostIp, '127.0.0.1']);
    s3 = await startDualS3([ns.hostIp, '127.0.0.1'], BUCKET);
    const [nsS3, hostS3] = s3.endpoints as [string, string];
    restoreEnv = useS3rverCredentials();
    const storage = { STORAGE_URL: `s3://${BUCKET}/data`, S3_FORCE_PATH_STYLE: 'true', S3_REGION: 'us-east-1', ...S3RVER_CREDENTIALS };
    h = await createHarness(
      { env: { REDIS_URL: redis.url('127.0.0.1'), S3_ENDPOINT: hostS3, ...storage } },
      { audit: new AuditLog({ dir: path.join(tmp, 'audit'), logger: silentLogger() }) },
    );
    // Fresh, empty, unshared working directories: one per host.
    hostData = await fs.mkdtemp(path.join(tmp, 'host-a-data-'));
    nsData = await fs.mkdtemp(path.join(tmp, 'host-b-data-'));
    hostWorker = spawnWorker(h, ['--queues', 'pipeline,clean', '--concurrency', '1'], { DATA_DIR: hostData, S3_ENDPOINT: hostS3, ...storage });
    procs.push(hostWorker);
    nsWorker = spawnNsWorker(ns, ['--queues', 'clean', '--concurrency', '1'], {
      QUEUE_PREFIX: h.prefix,
      RESOURCES_DIR: h.resourcesDir,
      DATA_DIR: nsData,
      REDIS_URL: redis.url(ns.hostIp),
      S3_ENDPOINT: nsS3,
      ...storage,
    });
    procs.push(nsWorker);
    await Promise.all([waitReady(hostWorker, 60_000), waitReady(nsWorker, 60_000)]);
    // "worker started" is logged before connecting; wait until Redis sees the namespace's worker
    // connected from the namespace's own address.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const clients = await h.res.queues.clean.getWorkers();
      if (clients.some((c) => String(c.addr).startsWith(`${ns!.nsIp}:`))) break;
      if (Date.now() > deadline) throw new Error(`the namespace worker never connected to Redis:\n${nsWorker.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 120_000);

  afterAll(async () => {
    for (const p of procs) {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
      const killer = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
      await p.exited;
      clearTimeout(killer);
    }
    await h?.close().catch(() => undefined);
    await s3?.close().catch(() => undefined);
    await redis?.stop().catch(() => undefined);
    await ns?.destroy();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
    restoreEnv?.();
  }, 60_000);

  it('the namespace reaches Redis and S3 on the host-side address, and not the host loopback', async () => {
    const targets: Array<[string, number]> = [
      [ns!.hostIp, redis!.port],
      [ns!.hostIp, Number(new URL(s3!.endpoints[0]!).port)],
      ['127.0.0.1', 6379],
      [ns!.hostIp, Number(new URL(s3!.endpoints[1]!).port)],
      ['192.0.2.1', 80],
    ];
    const probe = `const net=require('net');const t=JSON.parse(process.argv[1]);Promise.all(t.map(([host,port])=>new Promise(r=>{const s=net.connect({host,port,timeout:3000});s.on('connect',()=>{s.destroy();r('open')});s.on('timeout',()=>{s.destroy();r('timeout')});s.on('error',e=>r(e.code))}))).then(x=>console.log(JSON.stringify(x)))`;
    const { stdout } = await ns!.exec(process.execPath, ['-e', probe, JSON.stringify(targets)]);
    // Redis and S3 answer; the host's own Redis (127.0.0.1:6379) and the loopback-only S3 listener
    // do not; nothing outside the /30 is routed at all.
    expect(JSON.parse(stdout)).toEqual(['open', 'open', 'ECONNREFUSED', 'ECONNREFUSED', 'ENETUNREACH']);
  });

  it('spreads the chunks over both hosts and completes with exact rows', async () => {
    const start = await request(h!.app)
      .post('/api/runs')
      .set(auth('operator'))
      .send({ pipeline: 'sample_daily', overrides: { options: { rows: ROWS }, chunk_size: CHUNK } })
      .expect(202);
    const runId = start.body.runId as string;
    const done = await h!.waitForRun(runId, 120_000);
    expect(done.error).toBeNull();
    expect(done.state).toBe('completed');
    expect(done.counts.rowsCollected).toBe(ROWS);
    expect(done.outputs.processed).toMatch(new RegExp(`^s3://${BUCKET}/data/processed/`));

    const job = await h!.res.queues.pipeline.getJob(runId);
    const results = Object.values(await job!.getChildrenValues()) as ChunkResult[];
    expect(results).toHaveLength(ROWS / CHUNK);
    expect(results.reduce((s, r) => s + r.rows, 0)).toBe(ROWS);
    const perWorker = new Map<string, number>();
    for (const r of results) perWorker.set(r.worker!, (perWorker.get(r.worker!) ?? 0) + 1);
    // `ip netns exec` execs in place, so the namespace worker's pid is the spawned child's.
    expect(new Set(perWorker.keys())).toEqual(new Set([`${hostname()}:${hostWorker.pid}`, `${hostname()}:${nsWorker.pid}`]));

    const client = new S3Client({
      endpoint: s3!.endpoints[1],
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: S3RVER_CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: S3RVER_CREDENTIALS.AWS_SECRET_ACCESS_KEY },
    });
    try {
      const file = await downloadObject(client, done.outputs.processed!, tmp);
      const [p] = await duckQuery(`SELECT count(*) AS n, count(DISTINCT id) AS ids, min(id) AS lo, max(id) AS hi FROM read_parquet(${sqlPath(file)})`);
      expect(p).toEqual({ n: ROWS, ids: ROWS, lo: 1, hi: ROWS });
    } finally {
      client.destroy();
    }

    // Neither host kept data locally: at most an emptied scratch directory.
    expect(await listLocalFiles(nsData)).toEqual([]);
    expect(await listLocalFiles(hostData)).toEqual([]);
  }, 150_000);
});

