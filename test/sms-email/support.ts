import { createServer, type IncomingMessage, type Server } from 'node:http';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestApp } from '../support/test-app.js';

export interface ElksRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  fields: Record<string, string>;
  answered: number;
}

/** A loopback stand-in for 46elks: records every request and answers the scripted statuses (then 200). */
export class FakeElks {
  readonly requests: ElksRequest[] = [];
  /** Statuses for the next requests, in order; 200 with a JSON id when empty. */
  readonly script: number[] = [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  private async handle(req: IncomingMessage, res: import('node:http').ServerResponse) {
    let body = '';
    for await (const chunk of req) body += chunk;
    const status = this.script.shift() ?? 200;
    this.requests.push({
      method: req.method!,
      path: req.url!,
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      fields: Object.fromEntries(new URLSearchParams(body)),
      answered: status,
    });
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(status === 200 ? JSON.stringify({ id: `s${this.requests.length}`, status: 'created' }) : JSON.stringify({ error: 'nope' }));
  }

  delivered(to?: string): ElksRequest[] {
    return this.requests.filter((r) => r.answered === 200 && (!to || r.fields.to === to));
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

/** Polls (settling the app each round) until `probe` returns a value; fails after ~10 s. */
export async function eventually<T>(t: TestApp, probe: () => T | undefined | null | false): Promise<T> {
  for (let i = 0; i < 200; i++) {
    await t.settle();
    const v = probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not reached');
}

export const codeOf = (text: string): string => /\b(\d{6})\b/.exec(text)?.[1] ?? '';

export function outboxFiles(t: TestApp, ext: string): Array<{ name: string; text: string }> {
  const dir = join(t.dataDir, 'outbox');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));
}

/** Raw bytes of the three stores (and their WAL files). */
export function storeBytes(t: TestApp): string {
  return readdirSync(t.dataDir)
    .filter((f) => /^(events|read|queue)\.sqlite/.test(f))
    .map((f) => readFileSync(join(t.dataDir, f)).toString('latin1'))
    .join('\n');
}

/** The text body of an .eml from the outbox (base64 or quoted-printable). */
export function decodeMail(eml: string): string {
  const [head, ...rest] = eml.split(/\r?\n\r?\n/);
  const body = rest.join('\n\n');
  if (/Content-Transfer-Encoding: base64/i.test(head!)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return Buffer.from(
    body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  ).toString('utf8');
}
