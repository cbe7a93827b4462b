import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import {
  createMailTransport,
  messageIdHeader,
  OutboxMailTransport,
  SmtpMailTransport,
  type MailMessage,
} from '../../src/notifications/mail-transport.js';

const FROM = 'Petanque Life Security <security@petanque.life>';

const message = (over: Partial<MailMessage> = {}): MailMessage => ({
  to: 'player@example.org',
  subject: 'New sign-in to your account',
  text: 'Someone signed in from a new device.',
  html: '<p>Someone signed in from a new device.</p>',
  messageId: 'security-alert-evt-0001',
  headers: { 'X-Event-Id': 'evt-0001' },
  ...over,
});

describe('messageIdHeader', () => {
  it('adds the sender domain to a bare id and keeps a complete one', () => {
    expect(messageIdHeader('mfa-enrolled-1', FROM)).toBe('<mfa-enrolled-1@petanque.life>');
    expect(messageIdHeader('<abc@example.org>', FROM)).toBe('<abc@example.org>');
  });
});

describe('SmtpMailTransport against a loopback SMTP server', () => {
  let server: SMTPServer;
  let port: number;
  const received: Array<{ raw: string; rcpt: string[]; from: string | undefined }> = [];
  const rejected = new Set<string>();

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(address, _session, callback) {
        if (rejected.has(address.address)) callback(new Error('mailbox unavailable'));
        else callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          received.push({
            raw: Buffer.concat(chunks).toString('utf8'),
            rcpt: session.envelope.rcptTo.map((r) => r.address),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('delivers the message with subject, recipient, sender and a stable Message-ID', async () => {
    const transport = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${port}`, dataDir: '/nonexistent', mailFrom: FROM });
    expect(transport).toBeInstanceOf(SmtpMailTransport);
    await transport.send(message());
    (transport as SmtpMailTransport).close();

    expect(received).toHaveLength(1);
    const [mail] = received;
    expect(mail.rcpt).toEqual(['player@example.org']);
    expect(mail.from).toBe('security@petanque.life');
    const headers = mail.raw.split(/\r?\n\r?\n/)[0];
    expect(headers).toMatch(/^Subject: New sign-in to your account$/m);
    expect(headers).toMatch(/^To: player@example\.org$/m);
    expect(headers).toMatch(/^From: Petanque Life Security <security@petanque\.life>$/m);
    expect(headers).toMatch(/^Message-ID: <security-alert-evt-0001@petanque\.life>$/m);
    expect(headers).toMatch(/^X-Event-Id: evt-0001$/im); // header names are case-insensitive
    expect(mail.raw).toContain('Someone signed in from a new device.');
  });

  it('rejects when the server refuses the recipient, so the job queue retries', async () => {
    rejected.add('gone@example.org');
    const transport = new SmtpMailTransport(`smtp://127.0.0.1:${port}`, FROM);
    await expect(transport.send(message({ to: 'gone@example.org', messageId: 'm-2' }))).rejects.toThrow();
    transport.close();
  });
});

describe('OutboxMailTransport', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'outbox-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const emls = () => readdirSync(join(dataDir, 'outbox')).filter((f) => f.endsWith('.eml'));

  it('writes an RFC 822 .eml file named by time and message id', async () => {
    const transport = createMailTransport({ smtpUrl: null, dataDir, mailFrom: FROM });
    expect(transport).toBeInstanceOf(OutboxMailTransport);
    await transport.send(message({ messageId: 'mfa:enrolled/evt-7' }));

    const files = emls();
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^\d{4}-\d{2}-\d{2}T[\d-]+Z-mfa_enrolled_evt-7\.eml$/);
    const raw = readFileSync(join(dataDir, 'outbox', files[0]), 'utf8');
    const headers = raw.split(/\n\n/)[0];
    expect(headers).toMatch(/^Subject: New sign-in to your account$/m);
    expect(headers).toMatch(/^To: player@example\.org$/m);
    expect(headers).toMatch(/^Message-ID: <mfa:enrolled\/evt-7@petanque\.life>$/m);
    expect(headers).toMatch(/^Content-Type: multipart\/alternative/m);
  });

  it('does not write a second file for the same message id', async () => {
    const transport = new OutboxMailTransport(dataDir, FROM);
    await transport.send(message());
    await transport.send(message({ subject: 'resent' }));
    await Promise.all([transport.send(message()), transport.send(message())]);
    expect(emls()).toHaveLength(1);

    // Ids that sanitise to the same file-name part are still different messages.
    await transport.send(message({ messageId: 'security-alert:evt-0001' }));
    await transport.send(message({ messageId: 'security-alert/evt-0001' }));
    expect(emls()).toHaveLength(3);
  });

  it('remembers sent ids across instances (a restart does not resend)', async () => {
    await new OutboxMailTransport(dataDir, FROM).send(message());
    await new OutboxMailTransport(dataDir, FROM).send(message());
    expect(emls()).toHaveLength(1);
  });
});
