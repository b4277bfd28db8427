/** Cost estimate of a run before it fans out. */
import type { TaskDef } from '../../resources/schemas';
import { costUsd, type PriceTable } from './prices';
import { CONTRACT } from './prompt';

/**
 * Estimate a run's tokens and cost from a sample of its texts: about 4 characters
 * per token, the prompt template around each text, per-request overhead (system
 * message and contract), and a reply about as long as the input (capped by
 * max_tokens). Cache hits and duplicates are not subtracted, so this is an upper
 * bound for reruns. Priced with the task's primary model.
 */
export async function estimateRunCost(
  task: TaskDef,
  sample: { texts: (string | null)[]; totalRows: number },
  prices: PriceTable,
): Promise<{ estimatedTokens: number; estimatedCostUsd: number }> {
  const texts = sample.texts.filter((t): t is string => t !== null && t.trim() !== '');
  if (!sample.texts.length || !texts.length || sample.totalRows <= 0) return { estimatedTokens: 0, estimatedCostUsd: 0 };
  const templateChars = task.prompt.replace(/\{\{[^}]*\}\}/g, '').length;
  const avgChars = texts.reduce((s, t) => s + t.length, 0) / texts.length;
  const rows = sample.totalRows * (texts.length / sample.texts.length);
  const perRowPrompt = (avgChars + templateChars + 24) / 4;
  const perRowReply = Math.min(task.max_tokens, (avgChars + 24) / 4);
  const requests = Math.ceil(rows / task.batch_size);
  const perRequest = (task.system_message.length + CONTRACT.length) / 4 + 10;
  const promptTokens = Math.ceil(rows * perRowPrompt + requests * perRequest);
  const completionTokens = Math.ceil(rows * perRowReply);
  return {
    estimatedTokens: promptTokens + completionTokens,
    estimatedCostUsd: costUsd(prices, task.model ?? 'default', promptTokens, completionTokens),
  };
}
