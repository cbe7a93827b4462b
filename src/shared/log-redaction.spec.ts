import { Writable } from 'node:stream';
import { pino } from 'pino';
import { redactUrl } from '../app.factory.js';
import { REDACT_PATHS } from './logger.js';

describe('logs carry no secrets', () => {
  it('redacts webhook secrets in paths', () => {
    expect(redactUrl('/webhooks/46elks/delivery/s3cr3t-token?x=1')).toBe('/webhooks/46elks/delivery/[redacted]?x=1');
    expect(redactUrl('/auth/sessions')).toBe('/auth/sessions');
  });

  it('redacts credentials, codes, tokens, phone numbers and e-mail addresses by field', () => {
    let out = '';
    const sink = new Writable({ write: (c, _e, cb) => ((out += c.toString()), cb()) });
    const log = pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
    log.info(
      {
        req: { headers: { authorization: 'Bearer abc.def.ghi', cookie: 'sid=1' } },
        body: { password: 'hunter2hunter2', code: '123456', phone: '+46701234567', email: 'a@b.se', refresh_token: 'r' },
      },
      'x',
    );
    for (const secret of ['abc.def.ghi', 'sid=1', 'hunter2hunter2', '123456', '+46701234567', 'a@b.se']) expect(out).not.toContain(secret);
  });
});
