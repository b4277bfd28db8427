/** The dead-letter queue: capture, list, retry (by hand or on a schedule), discard. */
export * from './types';
export * from './settings';
export { getLetter, listLetters, removeLetter, letterId, type ListOptions } from './store';
export { deadLetterJob, letterIdForJob, type CaptureResult } from './capture';
export { retryLetter, reconcileLetter, type RetryOutcome } from './retry';
export { retryDueLetters, AUTO_RETRY_BY, type AutoRetryReport } from './auto-retry';
export { dlqRetryTask, alertsTask, anyRunActive, metricsKeyPrefix } from './tasks';
