/** A real S3-compatible server (s3rver) on 127.0.0.1, port 0, for storage tests. */
import { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { tempDir } from './fixtures';

/** A running s3rver with one bucket, and a client pointed at it. */
export interface TestS3 {
  client: S3Client;
  bucket: string;
  endpoint: string;
  close(): Promise<void>;
}

/** Start s3rver in a temp directory with bucket `bucket`. */
export async function startS3(bucket = 'test-bucket'): Promise<TestS3> {
  const dir = await tempDir('s3rver');
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir.dir, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    client,
    bucket,
    endpoint,
    async close() {
      client.destroy();
      server.httpServer?.closeAllConnections();
      await server.close();
      await dir.cleanup();
    },
  };
}
