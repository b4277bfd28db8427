/** Queue names: the contract between producers and workers. */
export const QUEUES = {
  /** One parent job per run: collect, fan out, finalize. */
  pipeline: 'pipeline',
  /** One child job per chunk of a run. */
  clean: 'clean',
  /** Notices (email, Slack). */
  notify: 'notify',
  /** Copies of jobs that exhausted their attempts. */
  deadLetter: 'dead-letter',
  /** Housekeeping on schedules: dlq-retry, backup, retention, alerts, digest, watchdog. */
  maintenance: 'maintenance',
} as const;

/** A queue name. */
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** Every queue, in display order. */
export const ALL_QUEUES: readonly QueueName[] = Object.values(QUEUES);
