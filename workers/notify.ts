/** Processor of the `notify` queue: render and send grouped notices (email, Slack). */
import { type Job, UnrecoverableError } from 'bullmq';
import type { Resources } from '../src/context';
import { NonRetryableError } from '../src/errors';
import { createMailTransport, processNotifyJob } from '../src/notify';

/** Build the `notify` processor. One mail transport per process. */
export function createNotifyProcessor(res: Resources) {
  const transport = createMailTransport(res.config.mail);
  return async function processNotify(job: Job): Promise<unknown> {
    try {
      return await processNotifyJob(job, {
        redis: res.redis,
        keyPrefix: `${res.keyPrefix}:notify`,
        logger: res.logger.child({ queue: 'notify', jobId: job.id }),
        queue: res.queues.notify,
        mail: res.config.mail,
        publicUrl: res.config.http.publicUrl,
        transport,
        secrets: [...res.config.apiTokens.map((t) => t.token), res.config.llm.apiKey ?? ''].filter(Boolean),
      });
    } catch (err) {
      if (err instanceof NonRetryableError) throw new UnrecoverableError(err.message);
      throw err;
    }
  };
}
