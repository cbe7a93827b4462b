import { ValidateBy, type ValidationOptions } from 'class-validator';
import { isWellFormed } from './well-formed-input.js';

/**
 * Characters a name shown to people must not hold: C0/C1 controls (NUL, newlines, escape
 * sequences), the bidirectional overrides, embeddings and isolates (which make "Laptop\u202Eexe."
 * read as something else, CVE-2021-42574 "Trojan Source"), and the invisible marks that carry
 * direction. Ordinary letters of every script, spaces and emoji are fine.
 */
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

export const isDisplayString = (v: unknown): boolean => typeof v === 'string' && isWellFormed(v) && !FORBIDDEN.test(v);

/** A display string (trusted-device, passkey and person names): 400 validation_failed naming the field otherwise. */
export const IsDisplayString = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isDisplayString',
      validator: {
        validate: (v) => isDisplayString(v),
        defaultMessage: (args) => `${args?.property} must not contain control characters, NUL, bidirectional overrides or lone surrogates`,
      },
    },
    options,
  );
