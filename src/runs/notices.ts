/** Raise a notice from pipeline code. Never throws: a notice must not fail a run. */
import type { Resources } from '../context';
import type { NoticeEvent } from '../notify/events';
import { raiseNotice } from '../notify/throttle';
import { loadPipelines } from '../resources/pipelines';

/** A notice as pipeline code raises it; `occurredAt` defaults to now. */
export type NoticeInput = NoticeEvent extends infer E ? (E extends NoticeEvent ? Omit<E, 'occurredAt'> & { occurredAt?: string } : never) : never;

async function pipelineRecipients(res: Resources, pipeline: string | undefined): Promise<string[]> {
  if (!pipeline) return [];
  try {
    return (await loadPipelines(res.config.resourcesDir))[pipeline]?.notify.emails ?? [];
  } catch {
    // A broken pipelines.yaml must not stop the notice itself.
    return [];
  }
}

/** Enqueue a notice (grouped and throttled by the notify module), adding the pipeline's own recipients. */
export async function notice(res: Resources, event: NoticeInput): Promise<void> {
  try {
    const extra = await pipelineRecipients(res, event.pipeline);
    const recipients = [...new Set([...(event.recipients ?? []), ...extra])];
    const full = { ...event, recipients: recipients.length ? recipients : undefined, occurredAt: event.occurredAt ?? new Date().toISOString() } as NoticeEvent;
    await raiseNotice(
      {
        redis: res.redis,
        keyPrefix: `${res.keyPrefix}:notify`,
        queue: res.queues.notify,
        logger: res.logger,
        windowSeconds: res.config.mail.throttleSeconds,
        groupWaitMs: res.config.mail.groupWaitMs,
      },
      full,
    );
  } catch (err) {
    res.logger.warn('could not raise notice', { kind: event.kind, error: (err as Error).message });
  }
}
