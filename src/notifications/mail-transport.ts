import { createHash, randomUUID } from 'node:crypto';
import { unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { secureDir } from '../shared/data-dir.js';
import { createTransport } from 'nodemailer';
import type { SendMailOptions } from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Stable per side effect (e.g. derived from the event id): becomes the Message-ID header, so a duplicate is visible. */
  messageId: string;
  headers?: Record<string, string>;
}

/** The mail port: SMTP when SMTP_URL is set, otherwise .eml files in DATA_DIR/outbox. Never logs recipients or bodies. */
export interface MailTransport {
  readonly kind: string;
  send(msg: MailMessage): Promise<void>;
}

export const MAIL_TRANSPORT = Symbol('MAIL_TRANSPORT');

/**
 * A Message-ID must look like `<left@right>`. Ids without a domain part get the domain of the
 * sender address, so `mfa-enrolled-<event id>` becomes `<mfa-enrolled-<event id>@petanque.life>`.
 */
export function messageIdHeader(messageId: string, mailFrom: string): string {
  const id = messageId.trim().replace(/^<|>$/g, '');
  if (!id) throw new Error('messageId must not be empty');
  if (id.includes('@')) return `<${id}>`;
  const domain = /@([^>\s]+)>?\s*$/.exec(mailFrom)?.[1] ?? 'localhost';
  return `<${id}@${domain}>`;
}

function mailOptions(msg: MailMessage, mailFrom: string): SendMailOptions {
  return {
    from: mailFrom,
    to: msg.to,
    subject: msg.subject,
    text: msg.text,
    html: msg.html,
    headers: msg.headers,
    messageId: messageIdHeader(msg.messageId, mailFrom),
  };
}

/** SMTP via nodemailer. Errors are thrown to the job queue (which retries), never logged here. */
export class SmtpMailTransport implements MailTransport {
  readonly kind = 'smtp';
  private readonly transporter;

  constructor(
    smtpUrl: string,
    private readonly mailFrom: string,
  ) {
    this.transporter = createTransport(smtpUrl);
  }

  async send(msg: MailMessage): Promise<void> {
    await this.transporter.sendMail(mailOptions(msg, this.mailFrom));
  }

  close(): void {
    this.transporter.close();
  }
}

/**
 * The embedded profile's mail: each message is written as an RFC 822 `.eml` file into
 * `${dataDir}/outbox` (open it in any mail client). A message id is sent at most once: an
 * exclusive create (`wx`) of a marker named by its hash claims it before the file is written, so
 * a second send of the same id (a retry after a crash, a re-delivered event) is a no-op.
 */
export class OutboxMailTransport implements MailTransport {
  readonly kind = 'outbox';
  readonly dir: string;
  private readonly sentDir: string;
  private readonly composer = createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  constructor(
    dataDir: string,
    private readonly mailFrom: string,
  ) {
    this.dir = join(dataDir, 'outbox');
    this.sentDir = join(this.dir, '.sent');
  }

  async send(msg: MailMessage): Promise<void> {
    const options = mailOptions(msg, this.mailFrom);
    const info = await this.composer.sendMail(options);
    const eml = info.message as Buffer;

    // the outbox holds addresses and codes: owner only, also when an older install left it 0755
    secureDir(this.dir);
    secureDir(this.sentDir);
    const key = createHash('sha256')
      .update(options.messageId as string)
      .digest('hex');
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const file = `${stamp}-${sanitise(msg.messageId)}.eml`;
    const marker = join(this.sentDir, key);
    try {
      await writeFile(marker, `${file}\n`, { flag: 'wx', mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return; // already sent
      throw err;
    }
    try {
      await writeFile(join(this.dir, file), eml, { flag: 'wx', mode: 0o600 }).catch(async (err: NodeJS.ErrnoException) => {
        // Another id that sanitises to the same name in the same millisecond: disambiguate by hash.
        if (err.code !== 'EEXIST') throw err;
        await writeFile(join(this.dir, file.replace(/\.eml$/, `-${key.slice(0, 12)}.eml`)), eml, { flag: 'wx', mode: 0o600 });
      });
    } catch (err) {
      await unlink(marker).catch(() => undefined); // release the claim so a retry can send
      throw err;
    }
  }
}

/** File-name safe and bounded; uniqueness comes from the marker hash, not from this name. */
function sanitise(messageId: string): string {
  const safe = messageId
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, 120);
  return safe || randomUUID();
}

export function createMailTransport(cfg: { smtpUrl: string | null; dataDir: string; mailFrom: string }): MailTransport {
  return cfg.smtpUrl ? new SmtpMailTransport(cfg.smtpUrl, cfg.mailFrom) : new OutboxMailTransport(cfg.dataDir, cfg.mailFrom);
}
