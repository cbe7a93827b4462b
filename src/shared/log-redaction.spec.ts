import { Writable } from 'node:stream';
import { pino } from 'pino';
import { REDACT_PATHS, redactUrl, serializeRequest } from './logger.js';

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

  it('the request serializer redacts url, parsed query and path params before pino writes them', () => {
    let out = '';
    const sink = new Writable({ write: (c, _e, cb) => ((out += c.toString()), cb()) });
    const log = pino({ serializers: { req: serializeRequest }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
    log.info(
      {
        req: {
          method: 'GET',
          url: '/auth/sessions?access_token=eyJhbGciOi.secretpart&type=x',
          query: { access_token: 'eyJhbGciOi.secretpart', refresh_token: 'rt-123', type: 'x' },
          params: { secret: 'hook-secret-9', id: '42' },
        },
      },
      'request completed',
    );
    for (const secret of ['secretpart', 'rt-123', 'hook-secret-9']) expect(out).not.toContain(secret);
    expect(JSON.parse(out).req).toMatchObject({ query: { type: 'x' }, params: { id: '42' } });
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
