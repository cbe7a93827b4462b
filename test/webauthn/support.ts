import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestApp } from '../support/test-app.js';

/** Security e-mails of one type in the embedded outbox (call t.settle() first). */
export function mailsOfType(t: TestApp, type: string, to?: string): string[] {
  const dir = join(t.dataDir, 'outbox');
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
  } catch {
    return [];
  }
  return files
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .filter((m) => m.includes(`X-Security-Event: ${type}`) && (!to || m.toLowerCase().includes(to.toLowerCase())));
}

export async function securityEventTypes(t: TestApp, auth: { Authorization: string }): Promise<string[]> {
  const res = await t.http.get('/auth/security-events').set(auth).query({ limit: 100 });
  if (res.status !== 200) throw new Error(`security events: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.items.map((e: { type: string }) => e.type);
}
