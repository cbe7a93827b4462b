/**
 * Domain errors are data: a stable error_code, an HTTP status and a human detail. They are
 * mapped to problem+json once, in ProblemFilter. Extra fields land in the problem body.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    detail: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'DomainError';
  }
}

export const badRequest = (code: string, detail: string, extra?: Record<string, unknown>) => new DomainError(code, 400, detail, extra);
export const unauthorized = (code: string, detail: string, extra?: Record<string, unknown>) => new DomainError(code, 401, detail, extra);
export const forbidden = (code: string, detail: string, extra?: Record<string, unknown>) => new DomainError(code, 403, detail, extra);
export const notFound = (code: string, detail: string) => new DomainError(code, 404, detail);
export const conflict = (code: string, detail: string, extra?: Record<string, unknown>) => new DomainError(code, 409, detail, extra);
