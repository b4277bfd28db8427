/** Raise a notice from pipeline code. Never throws: a notice must not fail a run. */
import type { Resources } from '../context';
import type { NoticeEvent } from '../notify/events';
import { raiseNotice } from '../notify/throttle';

/** Enqueue a notice (grouped and throttled by the notify module). */
export async function notice(res: Resources, event: Omit<NoticeEvent, 'occurredAt'> & { occurredAt?: string }): Promise<void> {
  try {
    const full = { ...event, occurredAt: event.occurredAt ?? new Date().toISOString() } as NoticeEvent;
    await raiseNotice(
      { redis: res.redis, keyPrefix: `${res.keyPrefix}:notify`, queue: res.queues.notify, logger: res.logger, windowSeconds: res.config.mail.throttleSeconds, groupWaitMs: res.config.mail.groupWaitMs },
      full,
    );
  } catch (err) {
    res.logger.warn('could not raise notice', { kind: event.kind, error: (err as Error).message });
  }
}
