import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NotFoundError, ValidationError } from '../../../src/errors';
import { parseCollectorOptions } from '../../../src/collectors/registry';
import { qualityConfigSchema } from '../../../src/quality/config';
import { getPipeline, loadPipelines } from '../../../src/resources/pipelines';

const GOOD_TASK = 'task_name: tidy\nengine: rules\nrules: { before: [trim] }\n';

function pipelinesYaml(extra: Record<string, string> = {}): string {
  const fields: Record<string, string> = { source: 'sample', options: '{ rows: 10 }', task: 'tidy', chunk_size: '5', output: 'out', ...extra };
  const body = Object.entries(fields)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `    ${k}: ${v}`)
    .join('\n');
  return `pipelines:\n  demo:\n${body}\n`;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

describe('shipped resources/pipelines.yaml', () => {
  it('parses, with every task present and valid', async () => {
    const all = await loadPipelines('resources');
    expect(Object.keys(all).sort()).toEqual(['inbox_reviews', 'sample_daily', 'sample_llm']);
    expect(all.sample_daily).toMatchObject({
      name: 'sample_daily',
      source: 'sample',
      options: { rows: 1000 },
      task: 'normalize_text',
      schedule: '0 2 * * *',
      chunk_size: 500,
      output: 'final_data',
      quality: { required_columns: ['raw_text'], max_null_ratio: 0.1, dedupe: true, min_score: 0.8 },
    });
    expect(all.inbox_reviews).toMatchObject({ source: 'file', task: 'normalize_text', chunk_size: 20, output: 'reviews_clean' });
    expect(all.inbox_reviews!.options).toMatchObject({ path: 'example_reviews.csv', text_column: 'text', id_column: 'id' });
    expect(all.inbox_reviews!.schedule).toBeUndefined();
    expect(all.sample_llm).toMatchObject({ source: 'sample', options: { rows: 200 }, task: 'llm_clean_text', output: 'llm_clean' });
    expect(all.sample_llm!.schedule).toBeUndefined();
  });

  it("has options that each collector's own schema accepts", async () => {
    const all = await loadPipelines('resources');
    for (const def of Object.values(all)) {
      expect(() => parseCollectorOptions(def.source, def.options, { field: `pipelines.${def.name}.options` })).not.toThrow();
    }
  });

  it('has the contract quality block, which the quality schema accepts as written', () => {
    const contract = { required_columns: ['raw_text'], max_null_ratio: 0.1, dedupe: true, min_score: 0.8 };
    expect(qualityConfigSchema.safeParse(contract).success).toBe(true);
  });

  it('getPipeline finds one and names the known ones for an unknown name', async () => {
    expect((await getPipeline('resources', 'sample_daily')).task).toBe('normalize_text');
    const err = await failure(getPipeline('resources', 'nightly'));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.message).toBe('unknown pipeline "nightly" (known: inbox_reviews, sample_daily, sample_llm)');
  });
});

describe('loadPipelines on bad files', () => {
  let dir: string;
  const write = (text: string): Promise<void> => fs.writeFile(path.join(dir, 'pipelines.yaml'), text);

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'test-pipelines-'));
    await fs.mkdir(path.join(dir, 'tasks'));
    await fs.writeFile(path.join(dir, 'tasks', 'tidy.yaml'), GOOD_TASK);
  });

  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('accepts a minimal pipeline and fills defaults', async () => {
    await write(pipelinesYaml({ chunk_size: '' }));
    const all = await loadPipelines(dir);
    expect(all.demo).toMatchObject({ name: 'demo', chunk_size: 500, on_chunk_failure: 'mark', quality: { dedupe: false } });
  });

  it.each([
    [{ chunk_size: '0' }, /pipelines\.yaml: pipelines\.demo\.chunk_size: Too small/],
    [{ chunk_size: 'lots' }, /pipelines\.yaml: pipelines\.demo\.chunk_size: .*expected number, received string/],
    [{ schedule: '"61 2 * * *"' }, /pipelines\.yaml: pipelines\.demo\.schedule: invalid cron expression "61 2 \* \* \*": .*0-59/],
    [{ schedule: '"every day"' }, /pipelines\.yaml: pipelines\.demo\.schedule: invalid cron expression "every day": expected 5 fields/],
    [{ schedule: '"* * * *"' }, /pipelines\.demo\.schedule: invalid cron expression .*got 4/],
    [{ schedule: '"0 2 * * *"', tz: 'Mars/Olympus' }, /pipelines\.demo\.tz: unknown time zone "Mars\/Olympus"/],
    [{ task: '../etc' }, /pipelines\.demo\.task: use 1-64 letters/],
    [{ output: '' }, /pipelines\.demo\.output: is required \(expected string\)/],
    [{ colour: 'blue' }, /pipelines\.demo: unknown field\(s\): colour/],
    [{ quality: '{ max_null_ratio: 2 }' }, /pipelines\.demo\.quality\.max_null_ratio: Too big/],
    [{ quality: '{ max_null_ratio: { raw_text: 1.5 } }' }, /pipelines\.demo\.quality\.max_null_ratio\.raw_text: Too big/],
  ])('refuses %j naming the field', async (extra, message) => {
    await write(pipelinesYaml(extra));
    const err = await failure(loadPipelines(dir));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toMatch(message);
  });

  it('refuses a pipeline name that is not safe as a file name', async () => {
    await write(pipelinesYaml().replace('  demo:', '  Bad Name:'));
    const err = await failure(loadPipelines(dir));
    expect(err.message).toMatch(/pipelines\.yaml: pipelines\.Bad Name: invalid name "Bad Name": use 1-64 letters/);
  });

  it('accepts valid schedules with a time zone, seconds or an alias', async () => {
    for (const schedule of ['"*/15 * * * *"', '"0 0 2 * * MON-FRI"', '"@daily"']) {
      await write(pipelinesYaml({ schedule, tz: 'Asia/Seoul' }));
      await expect(loadPipelines(dir)).resolves.toHaveProperty('demo.schedule');
    }
  });

  it('names a pipeline whose task file is missing', async () => {
    await write(pipelinesYaml({ task: 'ghost' }));
    const err = await failure(loadPipelines(dir));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toMatch(/pipelines\.yaml: pipelines\.demo\.task: unknown task "ghost" \(no .*tasks\/ghost\.yaml\)/);
  });

  it('names a pipeline whose task file is invalid, with the task file and field', async () => {
    await fs.writeFile(path.join(dir, 'tasks', 'broken.yaml'), 'task_name: broken\nengine: rules\nbatch_size: -1\n');
    await write(pipelinesYaml({ task: 'broken' }));
    const err = await failure(loadPipelines(dir));
    expect(err.message).toMatch(/pipelines\.yaml: pipelines\.demo\.task: task "broken" is invalid: .*tasks\/broken\.yaml: batch_size: Too small/);
    // Skipping the task check loads the file anyway (used where tasks are resolved later).
    await expect(loadPipelines(dir, { checkTasks: false })).resolves.toHaveProperty('demo.task', 'broken');
  });

  it('refuses invalid YAML, an empty file and a missing file clearly', async () => {
    await write('pipelines:\n  demo: [unclosed\n');
    expect((await failure(loadPipelines(dir))).message).toMatch(/pipelines\.yaml: line \d+, column \d+: invalid YAML/);
    await write('');
    expect((await failure(loadPipelines(dir))).message).toMatch(/pipelines\.yaml: file is empty/);
    await fs.rm(path.join(dir, 'pipelines.yaml'));
    const missing = await failure(loadPipelines(dir));
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing.message).toMatch(/no pipelines file \(.*pipelines\.yaml\)/);
  });

  it('reads the file fresh on every call', async () => {
    await write(pipelinesYaml({ chunk_size: '5' }));
    expect((await getPipeline(dir, 'demo')).chunk_size).toBe(5);
    await write(pipelinesYaml({ chunk_size: '7' }));
    expect((await getPipeline(dir, 'demo')).chunk_size).toBe(7);
  });
});
