import { BadRequestException } from '@nestjs/common';

/** Deeper than any DTO of ours; recursive libraries (class-transformer) overflow the stack far below JSON.parse's limit. */
export const MAX_INPUT_DEPTH = 32;

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when `s` is well-formed UTF-16 (String.prototype.isWellFormed, without needing the ES2024 lib). */
export const isWellFormed = (s: string): boolean => !LONE_SURROGATE.test(s);

/**
 * The first reason `value` (a parsed body or query) is unfit for any validator: a string or a key
 * that is not well-formed UTF-16 (validator.js throws URIError on one), or nesting deeper than
 * MAX_INPUT_DEPTH. Iterative, so hostile nesting cannot overflow this check itself.
 */
export function malformedInput(value: unknown, root: string): string | null {
  const stack: Array<[unknown, string, number]> = [[value, root, 0]];
  while (stack.length) {
    const [v, path, depth] = stack.pop()!;
    if (typeof v === 'string') {
      if (!isWellFormed(v)) return `${path} must be well-formed Unicode text (it holds a lone UTF-16 surrogate)`;
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_INPUT_DEPTH) return `${path} nests deeper than ${MAX_INPUT_DEPTH} levels`;
    if (Array.isArray(v)) v.forEach((item, i) => stack.push([item, `${path}[${i}]`, depth + 1]));
    else
      for (const [k, item] of Object.entries(v)) {
        if (!isWellFormed(k)) return `a key in ${path} must be well-formed Unicode text (it holds a lone UTF-16 surrogate)`;
        stack.push([item, path === root && root === 'body' ? k : `${path}.${k}`, depth + 1]);
      }
  }
  return null;
}

/**
 * Express middleware, after the body parsers and before routing, guards and pipes: no malformed
 * string reaches a guard, a validator or a decider. Answers 400 validation_failed naming the field.
 */
export function rejectMalformedInput(
  req: { body?: unknown; query?: unknown; url?: string },
  _res: unknown,
  next: (err?: unknown) => void,
): void {
  // express parses req.query again on every read: a URL without one has nothing to check
  const reason =
    (req.body === undefined ? null : malformedInput(req.body, 'body')) ??
    (req.url !== undefined && !req.url.includes('?') ? null : malformedInput(req.query, 'query'));
  next(reason ? new BadRequestException({ message: [reason] }) : undefined);
}
