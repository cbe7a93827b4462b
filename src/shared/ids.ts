import { Injectable, type PipeTransform } from '@nestjs/common';
import { badRequest, notFound, type DomainError } from './errors.js';

/**
 * Id formats, checked before any lookup: an id from a path never reaches a decider or a
 * store unless it has the shape of an id, so `__proto__`, `constructor` or `toString` cannot
 * name an entry of a state object.
 */
export const ID_FORMATS = {
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  /** WebAuthn credential ids: 16 to 1023 bytes (WebAuthn L2 §5.8.3), base64url without padding. */
  webauthnCredential: /^[A-Za-z0-9_-]{22,1364}$/,
} as const;
export type IdFormat = keyof typeof ID_FORMATS;

export const isUuid = (v: unknown): v is string => typeof v === 'string' && ID_FORMATS.uuid.test(v);

/** A path-parameter pipe: the value has the id format, or the request ends with `onBad()`. */
@Injectable()
export class IdParamPipe implements PipeTransform<unknown, string> {
  constructor(
    private readonly format: IdFormat,
    private readonly onBad: () => DomainError,
  ) {}
  transform(value: unknown): string {
    if (typeof value !== 'string' || !ID_FORMATS[this.format].test(value)) throw this.onBad();
    return value;
  }
}

/** A UUID path parameter; anything else answers 404 with the resource's own error_code. */
export const uuidParam = (code: string, detail: string) => new IdParamPipe('uuid', () => notFound(code, detail));

/** A path parameter in another id format; anything else answers 400 validation_failed naming the parameter. */
export const idParam = (format: IdFormat, name: string) =>
  new IdParamPipe(format, () => badRequest('validation_failed', `${name} is not a valid id`, { errors: [`${name} is not a valid id`] }));

/**
 * An own property of a record keyed by ids, never one inherited from Object.prototype:
 * `own(credentials, 'constructor')` is undefined, where `credentials['constructor']` is a function.
 */
export const own = <T>(record: Record<string, T>, key: string): T | undefined => (Object.hasOwn(record, key) ? record[key] : undefined);
