import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NotFoundError, ValidationError } from '../../../src/errors';
import { listTasks, loadTask } from '../../../src/resources/tasks';

const FIXTURES = 'tests/fixtures';

async function loadError(dir: string, name: string): Promise<Error> {
  try {
    await loadTask(dir, name);
  } catch (err) {
    return err as Error;
  }
  throw new Error(`loading task ${name} did not fail`);
}

describe('loadTask', () => {
  let tmp: string;

  beforeEach(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'test-resources-'));
    await fs.mkdir(path.join(tmp, 'tasks'));
  });

  afterEach(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('loads a valid file and fills defaults', async () => {
    const task = await loadTask(FIXTURES, 'good_rules');
    expect(task.task_name).toBe('good_rules');
    expect(task.engine).toBe('rules');
    expect(task.rules.before).toEqual(['strip_html', 'decode_entities', { normalize_unicode: { form: 'NFC' } }, { truncate: { max_length: 10 } }]);
    expect(task.rules.after).toEqual(['trim']);
    expect(task.batch_size).toBe(10);
  });

  it('loads both shipped tasks', async () => {
    const rules = await loadTask('resources', 'normalize_text');
    expect(rules.engine).toBe('rules');
    const llm = await loadTask('resources', 'llm_clean_text');
    expect(llm).toMatchObject({ engine: 'llm', model: 'gpt-4o-mini', fallback_model: 'gpt-4.1-nano', batch_size: 20, temperature: 0 });
    expect(llm.prompt).toContain('{{text}}');
    expect(llm.rules).toEqual({ before: ['strip_html', 'decode_entities', 'fix_mojibake'], after: ['normalize_whitespace', 'trim'] });
  });

  it.each([
    ['invalid_yaml', /^tests\/fixtures\/tasks\/invalid_yaml\.yaml: line 5, column \d+: invalid YAML: /],
    ['wrong_type', /^tests\/fixtures\/tasks\/wrong_type\.yaml: temperature: .*expected number, received string/],
    ['unknown_step', /^tests\/fixtures\/tasks\/unknown_step\.yaml: rules\.before\[1\]: unknown rule step "remove_emojis" \(known steps: strip_html, /],
    ['bad_step_option', /^tests\/fixtures\/tasks\/bad_step_option\.yaml: rules\.after\[1\]\.truncate\.max_length: .*expected number/],
    ['llm_no_model', /^tests\/fixtures\/tasks\/llm_no_model\.yaml: model: is required when engine is llm/],
    ['name_mismatch', /^tests\/fixtures\/tasks\/name_mismatch\.yaml: task_name: is "something_else" but the file is name_mismatch\.yaml/],
    ['duplicate_key', /^tests\/fixtures\/tasks\/duplicate_key\.yaml: line 3, column 1: invalid YAML: Map keys must be unique/],
    ['custom_tag', /^tests\/fixtures\/tasks\/custom_tag\.yaml: line 3, column 14: invalid YAML: Unresolved tag: tag:yaml\.org,2002:js\/function/],
  ])('refuses %s with a message naming the file and field', async (name, message) => {
    const err = await loadError(FIXTURES, name);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toMatch(message);
  });

  it('refuses a YAML bomb quickly', async () => {
    const started = Date.now();
    const err = await loadError(FIXTURES, 'bomb');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toMatch(/^tests\/fixtures\/tasks\/bomb\.yaml: refused YAML: .*alias/i);
  });

  it.each(['../x', '/etc/passwd', 'a/b', '..', 'x.yaml', '', 'tasks\\..\\x', '-rf'])('refuses the unsafe name %j', async (name) => {
    const err = await loadError(FIXTURES, name);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toContain('invalid task name');
  });

  it('refuses a symlink that leaves the tasks folder, but not one inside it', async () => {
    const outside = path.join(tmp, 'outside.yaml');
    await fs.writeFile(outside, 'task_name: escape\nengine: rules\n');
    await fs.symlink(outside, path.join(tmp, 'tasks', 'escape.yaml'));
    const err = await loadError(tmp, 'escape');
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toMatch(/tasks\/escape\.yaml: refused: the file resolves outside/);

    await fs.writeFile(path.join(tmp, 'tasks', 'real.yaml'), 'task_name: alias\nengine: rules\n');
    await fs.symlink(path.join(tmp, 'tasks', 'real.yaml'), path.join(tmp, 'tasks', 'alias.yaml'));
    expect((await loadTask(tmp, 'alias')).task_name).toBe('alias');
  });

  it('says which task is unknown', async () => {
    const err = await loadError(tmp, 'nope');
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.message).toMatch(/^unknown task "nope" \(no .*tasks\/nope\.yaml\)$/);
  });

  it('refuses an empty file and a file over the size limit', async () => {
    await fs.writeFile(path.join(tmp, 'tasks', 'empty.yaml'), '# nothing\n');
    expect((await loadError(tmp, 'empty')).message).toMatch(/empty\.yaml: file is empty/);
    await fs.writeFile(path.join(tmp, 'tasks', 'huge.yaml'), `task_name: huge\nengine: rules\ndescription: "${'x'.repeat(1024 * 1024)}"\n`);
    expect((await loadError(tmp, 'huge')).message).toMatch(/huge\.yaml: file is \d+ bytes; the limit is 1048576/);
  });

  it('reads the file fresh on every call', async () => {
    const file = path.join(tmp, 'tasks', 'live.yaml');
    await fs.writeFile(file, 'task_name: live\nengine: rules\nrules: { before: [trim] }\n');
    expect((await loadTask(tmp, 'live')).rules.before).toEqual(['trim']);
    await fs.writeFile(file, 'task_name: live\nengine: rules\nrules: { before: [strip_html, trim] }\n');
    expect((await loadTask(tmp, 'live')).rules.before).toEqual(['strip_html', 'trim']);
    await fs.writeFile(file, 'task_name: live\nengine: rules\nrules: { before: [shout] }\n');
    await expect(loadTask(tmp, 'live')).rejects.toThrow(/rules\.before\[0\]: unknown rule step "shout"/);
  });
});

describe('listTasks', () => {
  it('lists good and broken files without throwing', async () => {
    const list = await listTasks(FIXTURES);
    const byName = new Map(list.map((t) => [t.name, t]));
    expect(list.map((t) => t.name)).toEqual([...list.map((t) => t.name)].sort());
    expect(byName.get('good_rules')).toEqual({ name: 'good_rules', engine: 'rules', description: 'A valid rules task used by the loader tests.' });
    expect(byName.get('unknown_step')?.error).toMatch(/rules\.before\[1\]: unknown rule step/);
    expect(byName.get('bomb')?.error).toMatch(/refused YAML/);
  });

  it('lists the shipped tasks with engine and model', async () => {
    const list = await listTasks('resources');
    expect(list).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'normalize_text', engine: 'rules' }),
        expect.objectContaining({ name: 'llm_clean_text', engine: 'llm', model: 'gpt-4o-mini' }),
      ]),
    );
    expect(list.every((t) => t.error === undefined)).toBe(true);
  });

  it('returns an empty list when there is no tasks folder', async () => {
    expect(await listTasks(path.join(os.tmpdir(), 'no-such-resources-dir-xyz'))).toEqual([]);
  });
});
