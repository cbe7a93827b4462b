import { Writable } from 'node:stream';
import { pino } from 'pino';
import { REDACT_PATHS, redactUrl, requestLine } from './logger.js';

describe('logs carry no secrets', () => {
  it('redacts webhook secrets in paths', () => {
    expect(redactUrl('/webhooks/46elks/delivery/s3cr3t-token?x=1')).toBe('/webhooks/46elks/delivery/[redacted]?x=1');
    expect(redactUrl('/auth/sessions')).toBe('/auth/sessions');
  });

  it('redacts token-like query parameters, whatever their case or encoding, and keeps the others', () => {
    expect(redactUrl('/me?access_token=eyJ.abc.def&limit=5')).toBe('/me?access_token=[redacted]&limit=5');
    expect(redactUrl('/x?token=t1&refresh_token=r1&code=123456&cursor=c')).toBe(
      '/x?token=[redacted]&refresh_token=[redacted]&code=[redacted]&cursor=c',
    );
    expect(redactUrl('/x?Access_Token=t&%74oken=u&id_token=v&device_token=w&email=a%40b.se#frag')).toBe(
      '/x?Access_Token=[redacted]&%74oken=[redacted]&id_token=[redacted]&device_token=[redacted]&email=[redacted]',
    );
    expect(redactUrl('/x?%E0%A4%A=1&type=new_login')).toBe('/x?%E0%A4%A=1&type=new_login');
    expect(redactUrl('/webhooks/46elks/delivery/s3cr3t?token=t')).toBe('/webhooks/46elks/delivery/[redacted]?token=[redacted]');
  });

  it('the request line holds method, redacted url, status, time and ids, and no header (it is logged without redaction)', () => {
    let out = '';
    const sink = new Writable({ write: (c, _e, cb) => ((out += c.toString()), cb()) });
    const log = pino(sink);
    const req = {
      method: 'GET',
      url: '/sessions?access_token=eyJhbGciOi.secretpart&type=x',
      originalUrl: '/auth/sessions?access_token=eyJhbGciOi.secretpart&type=x',
      headers: { authorization: 'Bearer abc.def.ghi', cookie: 'sid=1', 'x-device-token': 'dt-77' },
      socket: { remoteAddress: '127.0.0.1' },
    };
    log.info(requestLine(req, 200, 3, 7, 'corr-1'), 'request completed');
    for (const secret of ['secretpart', 'abc.def.ghi', 'sid=1', 'dt-77']) expect(out).not.toContain(secret);
    expect(JSON.parse(out)).toMatchObject({
      req: { id: 7, method: 'GET', url: '/auth/sessions?access_token=[redacted]&type=x', remoteAddress: '127.0.0.1' },
      res: { statusCode: 200 },
      responseTime: 3,
      correlation_id: 'corr-1',
    });
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
