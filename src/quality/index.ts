/** Quality gate: streaming checks, dedupe, and the run report. */
export * from './types';
export * from './check-names';
export * from './config';
export { QualityAccumulator, qualityFailureReason, type QualityAccumulatorOptions } from './accumulator';
export { createDeduper, type Deduper, type DedupeStats, type ClassifyingDeduper, type DedupeVerdict } from './dedupe';
export { normalizeForNearDedupe, countScripts, hasHtml } from './text';
export * from './report';
export { dedupeText } from './checks/rows';
