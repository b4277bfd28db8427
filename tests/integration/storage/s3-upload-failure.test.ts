/**
 * An upload that fails mid-stream must fail the writer, not leave it waiting
 * for a 'drain' that never comes (backups and the CSV writer await drain).
 */
import { once } from 'node:events';
import os from 'node:os';
import { S3ObjectStore } from '../../../src/storage/s3-store';
import { startS3, type TestS3 } from './s3-server';

let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3('upload-failure');
});
afterAll(async () => {
  await s3.close().catch(() => undefined);
});

it('rejects a writer waiting for drain when the S3 server goes away', async () => {
  const store = new S3ObjectStore({ client: s3.client, bucket: s3.bucket, scratchDir: os.tmpdir() });
  const w = await store.openWrite('output/big.csv');
  const chunk = Buffer.alloc(1024 * 1024, 97);
  // Let the upload start, then take the server away.
  for (let i = 0; i < 2; i++) if (!w.stream.write(chunk)) await once(w.stream, 'drain');
  await s3.close();
  const writeAll = (async () => {
    for (let i = 0; i < 200; i++) if (!w.stream.write(chunk)) await once(w.stream, 'drain');
    return 'wrote everything';
  })();
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('hung'), 30_000)));
  const outcome = await Promise.race([writeAll.catch((err: Error) => `failed: ${err.message}`), hung]);
  clearTimeout(timer);
  expect(outcome).toMatch(/^failed: /);
  await expect(w.commit()).rejects.toThrow();
}, 60_000);
