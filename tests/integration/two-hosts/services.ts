/**
 * The shared services of the two-host test, on the host: a private
 * redis-server and an s3rver, each listening on the host-side veth address
 * (for the namespace) and on 127.0.0.1 (for the first host's worker).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import S3rver from 's3rver';
import { tempDir } from '../storage/fixtures';

/** A TCP port that was free on 127.0.0.1 a moment ago. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A private Redis with a password. */
export interface OwnRedis {
  port: number;
  password: string;
  /** `redis://:password@<host>:<port>` */
  url(host: string): string;
  stop(): Promise<void>;
}

/** Start redis-server bound to `addresses` (no persistence); resolves when it accepts connections. */
export async function startOwnRedis(addresses: string[]): Promise<OwnRedis> {
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const dir = await tempDir('redis');
  const child = spawn('redis-server', ['--port', String(port), '--bind', ...addresses, '--save', '', '--appendonly', 'no', '--requirepass', password, '--dir', dir.dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start in 15 s:\n${out}`)), 15_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${out}`));
    });
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  }).catch(async (err) => {
    child.kill('SIGKILL');
    await dir.cleanup();
    throw err;
  });
  return {
    port,
    password,
    url: (host) => `redis://:${password}@${host}:${port}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await dir.cleanup();
    },
  };
}

/** An s3rver reachable on two addresses. */
export interface DualS3 {
  bucket: string;
  /** Endpoint on each address, in the order given. */
  endpoints: string[];
  close(): Promise<void>;
}

/** Start s3rver on `addresses[0]` and serve the same app on the others too. */
export async function startDualS3(addresses: string[], bucket: string): Promise<DualS3> {
  const dir = await tempDir('s3rver-2h');
  const server = new S3rver({ address: addresses[0], port: 0, silent: true, directory: dir.dir, configureBuckets: [{ name: bucket }] });
  const first = await server.run();
  const endpoints = [`http://${addresses[0]}:${first.port}`];
  const extra: http.Server[] = [];
  // s3rver is a Koa app: the same request handler can serve more listeners over the same store.
  const handler = (server as unknown as { callback(): http.RequestListener }).callback();
  for (const addr of addresses.slice(1)) {
    const srv = http.createServer(handler);
    await new Promise<void>((resolve, reject) => srv.once('error', reject).listen(0, addr, () => resolve()));
    extra.push(srv);
    endpoints.push(`http://${addr}:${(srv.address() as AddressInfo).port}`);
  }
  return {
    bucket,
    endpoints,
    async close() {
      for (const srv of extra) {
        srv.closeAllConnections();
        await new Promise<void>((resolve) => srv.close(() => resolve()));
      }
      server.httpServer?.closeAllConnections();
      await server.close();
      await dir.cleanup();
    },
  };
}
