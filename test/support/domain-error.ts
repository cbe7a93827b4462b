import { DomainError } from '../../src/shared/errors.js';

/** The error_code of the DomainError `fn` throws (fails the test when it throws none or another error). */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return (e as DomainError).code;
  }
  throw new Error('expected a domain error');
}
