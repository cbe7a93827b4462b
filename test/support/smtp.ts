import { SMTPServer } from 'smtp-server';

export interface Captured {
  to: string[];
  raw: string;
  messageId: string;
  event: string;
  subject: string;
}

/** Decodes quoted-printable (and Q encoded-words) so assertions read the text a person reads. */
const qp = (s: string) =>
  Buffer.from(
    s
      .replace(/=\?UTF-8\?Q\?(.*?)\?=/gi, (_m, w: string) => w.replace(/_/g, ' '))
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  ).toString('utf8');

/** A real SMTP server on loopback that keeps every message it accepts. */
export async function startSmtp(): Promise<{ port: number; messages: Captured[]; close: () => Promise<void> }> {
  const messages: Captured[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, done) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => {
        const h = (n: string) => new RegExp(`^${n}: (.*)$`, 'mi').exec(raw)?.[1]?.trim() ?? '';
        messages.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: qp(raw),
          messageId: h('Message-ID'),
          event: h('X-Security-Event'),
          subject: qp(h('Subject')),
        });
        done();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.server.address() as { port: number }).port;
  return { port, messages, close: () => new Promise<void>((r) => server.close(() => r())) };
}
