/** Notices: events, rendering, throttled delivery by email and Slack. */
export * from './events';
export * from './render';
export * from './throttle';
export * from './send';
export type { NoticeLinks } from './kinds';
export * from './metrics';
export * from './alerts';
