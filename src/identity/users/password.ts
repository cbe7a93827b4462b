import { Algorithm, hash, verify } from '@node-rs/argon2';

/** OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1. */
const OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string): Promise<string> => hash(password, OPTIONS);

let dummy: Promise<string> | null = null;

/**
 * How many argon2id verifications this process has run, real and dummy alike. It lets a test
 * prove without a stopwatch that an unknown e-mail pays for one verify exactly like a wrong
 * password (timing itself is measured by `npm run bench`, section (c)).
 */
export const passwordVerifications = { count: 0 };

function argon2Verify(stored: string, password: string): Promise<boolean> {
  passwordVerifications.count++;
  return verify(stored, password);
}

/**
 * Verifies a password; with no stored hash (unknown e-mail) it verifies against a dummy hash
 * of the same parameters, so both paths cost the same and timing reveals nothing.
 */
export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (!stored) {
    dummy ??= hash('dummy-password-for-timing-equivalence', OPTIONS);
    await argon2Verify(await dummy, password).catch(() => false);
    return false;
  }
  try {
    return await argon2Verify(stored, password);
  } catch {
    return false;
  }
}

/** NIST SP 800-63B: at least 8 characters (we ask 10), at most 256, not all whitespace. */
export function passwordProblem(password: string): string | null {
  if (password.length < 10) return 'password must be at least 10 characters';
  if (password.length > 256) return 'password must be at most 256 characters';
  if (!password.trim()) return 'password must not be blank';
  return null;
}
