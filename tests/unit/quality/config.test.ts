import { mergeQualityConfig, qualityConfigSchema, qualityOverridesSchema } from '../../../src/quality';
import { pipelineSchema, taskSchema } from '../../../src/resources/schemas';

describe('quality config', () => {
  it('parses the contract example inside a pipeline', () => {
    const p = pipelineSchema.parse({
      source: 'sample',
      task: 'normalize_text',
      output: 'final_data',
      quality: { required_columns: ['raw_text'], max_null_ratio: 0.1, dedupe: true, min_score: 0.8 },
    });
    expect(p.quality).toMatchObject({ required_columns: ['raw_text'], max_null_ratio: 0.1, dedupe: true, min_score: 0.8 });
  });

  it('a task file\'s quality block keeps only what it sets, so the pipeline\'s dedupe and required columns survive', () => {
    const task = taskSchema.parse({ task_name: 't', engine: 'rules', quality: { min_score: 0.9 } });
    expect(task.quality).toEqual({ min_score: 0.9 });
    const base = qualityConfigSchema.parse({ required_columns: ['raw_text'], dedupe: true });
    expect(mergeQualityConfig(base, task.quality)).toMatchObject({ required_columns: ['raw_text'], dedupe: true, min_score: 0.9 });
  });

  it('rejects unknown check names under warn, naming the field', () => {
    const r = qualityConfigSchema.safeParse({ warn: ['null_ratio', 'nul_ratio'] });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]).toMatchObject({ path: ['warn', 1] });
    expect(r.error!.issues[0]!.message).toContain('null_ratio');
  });

  it('overrides keep only the fields a task sets', () => {
    const base = qualityConfigSchema.parse({
      required_columns: ['raw_text'],
      dedupe: true,
      max_null_ratio: { raw_text: 0.1 },
      metadata: { rating: { min: 1, max: 5 } },
      llm_checks: { max_html_ratio: 0.2 },
    });
    const over = qualityOverridesSchema.parse({
      min_score: 0.9,
      max_null_ratio: { 'metadata.lang': 0.5 },
      metadata: { lang: { allowed: ['ko'] } },
      llm_checks: { language: 'ko' },
    });
    expect(over).toEqual({ min_score: 0.9, max_null_ratio: { 'metadata.lang': 0.5 }, metadata: { lang: { allowed: ['ko'], required: false } }, llm_checks: { language: 'ko' } });
    const m = mergeQualityConfig(base, over);
    expect(m).toMatchObject({ required_columns: ['raw_text'], dedupe: true, min_score: 0.9 });
    expect(m.max_null_ratio).toEqual({ raw_text: 0.1, 'metadata.lang': 0.5 });
    expect(Object.keys(m.metadata)).toEqual(['rating', 'lang']);
    expect(m.llm_checks).toMatchObject({ max_html_ratio: 0.2, language: 'ko', max_empty_ratio: 0.05 });
  });
});
