import { NonRetryableError } from '../errors';

/** The quality gate refused the data; the run fails and nothing is written to output/. */
export class QualityGateError extends NonRetryableError {
  readonly stage: 'raw' | 'processed';
  readonly failedChecks: string[];
  constructor(stage: 'raw' | 'processed', failedChecks: string[], score: number) {
    super(`quality gate failed on ${stage} data (score ${score.toFixed(3)}): ${failedChecks.join('; ')}`);
    this.name = 'QualityGateError';
    this.stage = stage;
    this.failedChecks = failedChecks;
  }
}
