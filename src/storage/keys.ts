import { ValidationError } from '../errors';

/**
 * Check that a key stays inside the store: relative, no `..` segments, no
 * backslashes, control characters or NUL bytes. Returns the normalized key.
 * @throws ValidationError naming the key.
 */
export function assertSafeKey(key: string, field = 'key'): string {
  if (typeof key !== 'string' || key.length === 0) throw new ValidationError('must be a non-empty path', { field });
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\\]/.test(key)) throw new ValidationError(`"${key}" contains control characters or backslashes`, { field });
  if (key.startsWith('/') || /^[A-Za-z]:/.test(key)) throw new ValidationError(`"${key}" must be relative`, { field });
  const parts = key.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) throw new ValidationError(`"${key}" must not contain ".."`, { field });
  if (parts.length === 0) throw new ValidationError(`"${key}" is empty`, { field });
  return parts.join('/');
}
