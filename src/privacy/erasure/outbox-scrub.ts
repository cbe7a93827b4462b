import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PersonalValues } from './personal-values.js';

/**
 * The embedded profile's outbox (DATA_DIR/outbox) stands in for the mail server and the SMS
 * gateway: what was "sent" to the person stays there as files. Erasure deletes the messages
 * that carry their address or number (with SMTP and 46elks the copies are the provider's).
 */
export function scrubOutbox(dataDir: string, values: PersonalValues): number {
  const dir = join(dataDir, 'outbox');
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  const needles = [...values.distinctive];
  if (needles.length === 0) return 0;
  let removed = 0;
  for (const name of names) {
    const file = join(dir, name);
    if (!statSync(file).isFile()) continue;
    const text = readFileSync(file, 'utf8').toLowerCase();
    if (needles.some((n) => text.includes(n))) {
      rmSync(file, { force: true });
      removed++;
    }
  }
  return removed;
}
