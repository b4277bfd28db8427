/**
 * Safe YAML loading for resource files: the YAML 1.2 core schema only (no
 * custom or language tags such as `!!js/function`, no `!!binary`), a cap on
 * alias expansion (a "billion laughs" file is refused at once), a size cap,
 * no duplicate keys, one document per file. Every error names the file and,
 * for syntax errors, the line and column.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { ValidationError } from '../errors';

/** Limits for {@link parseYaml} and {@link readYamlFile}. */
export interface YamlLimits {
  /** Largest file accepted, in bytes. Default 1 MiB. */
  maxBytes?: number;
  /** Most alias (`*name`) expansions allowed. Default 100. */
  maxAliasCount?: number;
}

/** Options of {@link readYamlFile}. */
export interface ReadYamlOptions extends YamlLimits {
  /** The name to show in errors instead of the path read (e.g. the path before symlinks were resolved). */
  displayName?: string;
}

const DEFAULT_MAX_BYTES = 1024 * 1024;
const DEFAULT_MAX_ALIASES = 100;

/** A path for messages: relative to the working directory when inside it, else absolute. */
export function displayPath(file: string): string {
  const abs = path.resolve(file);
  const rel = path.relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}

/**
 * Parse YAML text into plain data. `file` is used in error messages only.
 * An empty document parses to `null`.
 * @throws ValidationError naming the file (and line/column) on any problem.
 */
export function parseYaml(text: string, file: string, limits: YamlLimits = {}): unknown {
  const doc = parseDocument(text, {
    schema: 'core',
    customTags: [],
    // !!binary, !!set, !!omap, !!timestamp are outside the core schema: refuse them like any unknown tag.
    resolveKnownTags: false,
    uniqueKeys: true,
    merge: false,
    strict: true,
    prettyErrors: true,
  });
  // Unresolved tags are only warnings in the yaml package; for resources they are errors.
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const pos = problem.linePos?.[0];
    const where = pos ? `line ${pos.line}, column ${pos.col}` : undefined;
    let message = problem.message.split(/ at line \d+, column \d+/)[0]!.trim();
    if (message.startsWith('Unresolved tag')) message += ' (tags are not allowed in resource files)';
    throw new ValidationError(`invalid YAML: ${message}`, { file, field: where });
  }
  try {
    return doc.toJS({ maxAliasCount: limits.maxAliasCount ?? DEFAULT_MAX_ALIASES });
  } catch (err) {
    const reason = (err as Error).message;
    const hint = /alias/i.test(reason) ? ' (too many alias expansions; anchors and aliases are limited)' : '';
    throw new ValidationError(`refused YAML: ${reason}${hint}`, { file, cause: err });
  }
}

/**
 * Read and parse a YAML file. Reads the file on every call (no cache), so an
 * edit takes effect on the next call.
 * @throws NodeJS.ErrnoException as-is when the file cannot be read (callers map ENOENT).
 * @throws ValidationError when the file is too large, not UTF-8, or not valid YAML.
 */
export async function readYamlFile(file: string, limits: ReadYamlOptions = {}): Promise<unknown> {
  const shown = limits.displayName ?? displayPath(file);
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  const handle = await fs.open(file, 'r');
  let bytes: Buffer;
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new ValidationError('not a regular file', { file: shown });
    if (stat.size > maxBytes) throw new ValidationError(`file is ${stat.size} bytes; the limit is ${maxBytes}`, { file: shown });
    bytes = await handle.readFile();
  } finally {
    await handle.close();
  }
  // The file may have grown between stat and read.
  if (bytes.length > maxBytes) throw new ValidationError(`file is larger than the limit of ${maxBytes} bytes`, { file: shown });
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    throw new ValidationError('file is not valid UTF-8', { file: shown, cause: err });
  }
  return parseYaml(text, shown, limits);
}
