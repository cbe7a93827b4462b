import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { secureDir } from '../../shared/data-dir.js';

export interface SmsMessage {
  /** E.164 recipient. */
  to: string;
  message: string;
  /** Delivery-report URL (46elks `whendelivered`). */
  whenDelivered: string;
  /** Stable per side effect (the challenge id): the outbox writes each id once. */
  messageId: string;
}

/** The SMS port: 46elks when ELKS_USERNAME is set, otherwise `.sms` files in DATA_DIR/outbox. Never logs numbers or bodies. */
export interface SmsTransport {
  readonly kind: string;
  /** Resolves with the provider's message id; throws on any failure so the job queue retries. */
  send(msg: SmsMessage): Promise<{ providerId: string | null }>;
}

export const SMS_TRANSPORT = Symbol('SMS_TRANSPORT');

export class SmsSendError extends Error {
  constructor(readonly status: number | null) {
    super(status === null ? '46elks could not be reached' : `46elks answered HTTP ${status}`);
    this.name = 'SmsSendError';
  }
}

/** 46elks: POST {base}/a1/sms, form-encoded from/to/message/whendelivered, HTTP Basic. */
export class ElksSmsTransport implements SmsTransport {
  readonly kind = '46elks';
  constructor(private readonly cfg: { baseUrl: string; username: string; password: string; from: string }) {}

  async send(msg: SmsMessage): Promise<{ providerId: string | null }> {
    const body = new URLSearchParams({ from: this.cfg.from, to: msg.to, message: msg.message, whendelivered: msg.whenDelivered });
    const auth = Buffer.from(`${this.cfg.username}:${this.cfg.password}`).toString('base64');
    let res: Response;
    try {
      res = await fetch(`${this.cfg.baseUrl.replace(/\/+$/, '')}/a1/sms`, {
        method: 'POST',
        headers: { Authorization: `Basic ${auth}`, 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: body.toString(),
        signal: AbortSignal.timeout(15_000),
      });
    } catch {
      throw new SmsSendError(null); // the cause may quote the URL or body: not propagated
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new SmsSendError(res.status);
    }
    const json = (await res.json().catch(() => ({}))) as { id?: unknown };
    return { providerId: typeof json.id === 'string' ? json.id : null };
  }
}

/** Embedded profile: one `sms-<message id>.sms` file per message in DATA_DIR/outbox (exclusive create: never twice). */
export class OutboxSmsTransport implements SmsTransport {
  readonly kind = 'outbox';
  readonly dir: string;
  constructor(
    dataDir: string,
    private readonly from: string,
  ) {
    this.dir = join(dataDir, 'outbox');
  }

  async send(msg: SmsMessage): Promise<{ providerId: string | null }> {
    secureDir(this.dir); // phone numbers and codes: owner only
    const id = msg.messageId.replace(/[^A-Za-z0-9-]/g, '_');
    const text = `From: ${this.from}\nTo: ${msg.to}\nWhen-Delivered: ${msg.whenDelivered}\n\n${msg.message}\n`;
    try {
      await writeFile(join(this.dir, `sms-${id}.sms`), text, { flag: 'wx', mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    return { providerId: `outbox-${id}` };
  }
}

export function createSmsTransport(cfg: {
  dataDir: string;
  elks: { baseUrl: string; username: string | null; password: string | null; from: string };
}): SmsTransport {
  const { username, password } = cfg.elks;
  return username && password
    ? new ElksSmsTransport({ baseUrl: cfg.elks.baseUrl, username, password, from: cfg.elks.from })
    : new OutboxSmsTransport(cfg.dataDir, cfg.elks.from);
}
