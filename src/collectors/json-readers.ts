/**
 * Streaming readers for JSON inputs of the `file` collector. A JSON array is
 * split into its top-level elements as bytes arrive, so memory is bounded by
 * the largest single element, not the file.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { ValidationError } from '../errors';

/** Stream the lines of a JSONL file as parsed values. `name` is how errors name the file. */
export async function* readJsonLines(localPath: string, name: string): AsyncGenerator<unknown> {
  const input = createReadStream(localPath, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const line of lines) {
      n++;
      const text = n === 1 ? line.replace(/^\uFEFF/, '') : line;
      if (!text.trim()) continue;
      try {
        yield JSON.parse(text);
      } catch (err) {
        if (!(err instanceof SyntaxError)) throw err;
        throw new ValidationError(`line ${n} is not valid JSON (${err.message})`, { file: name });
      }
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d, 0xfeff]);

/** Stream the elements of a file holding one JSON array. `name` is how errors name the file. */
export async function* readJsonArray(localPath: string, name: string): AsyncGenerator<unknown> {
  const input = createReadStream(localPath, { encoding: 'utf8', highWaterMark: 256 * 1024 });
  let state: 'before' | 'inside' | 'after' = 'before';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let pending = '';
  let index = 0;
  let sawComma = false;
  const fail = (msg: string): never => {
    throw new ValidationError(msg, { file: name });
  };
  const parse = (text: string): unknown => {
    try {
      return JSON.parse(text);
    } catch (err) {
      return fail(`element ${index} is not valid JSON (${(err as Error).message})`);
    }
  };
  try {
    for await (const chunk of input as AsyncIterable<string>) {
      let start = 0;
      const out: unknown[] = [];
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk.charCodeAt(i);
        if (state === 'before') {
          if (WS.has(c)) continue;
          if (c !== 0x5b) fail('expected a JSON array (the file must start with "[")');
          state = 'inside';
          start = i + 1;
        } else if (state === 'after') {
          if (!WS.has(c)) fail('unexpected content after the closing "]"');
        } else if (inString) {
          if (escaped) escaped = false;
          else if (c === 0x5c) escaped = true;
          else if (c === 0x22) inString = false;
        } else if (c === 0x22) inString = true;
        else if (c === 0x7b || c === 0x5b) depth++;
        else if ((c === 0x7d || c === 0x5d) && depth > 0) depth--;
        else if (depth === 0 && (c === 0x2c || c === 0x5d)) {
          const text = (pending + chunk.slice(start, i)).trim();
          pending = '';
          start = i + 1;
          if (text) {
            out.push(parse(text));
            index++;
          } else if (c === 0x2c || sawComma) fail(`empty element at position ${index} (stray comma)`);
          sawComma = c === 0x2c;
          if (c === 0x5d) state = 'after';
        }
      }
      if (state === 'inside') pending += chunk.slice(start);
      for (const v of out) yield v;
    }
    if (state === 'before') fail('expected a JSON array but the file is empty');
    if (state === 'inside') fail('the JSON array is not closed (truncated file?)');
  } finally {
    input.destroy();
  }
}
