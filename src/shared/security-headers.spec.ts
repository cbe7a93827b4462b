import { randomBytes } from 'node:crypto';
import helmet from 'helmet';
import { fixedHeaders } from './security-headers.js';

describe('fixedHeaders', () => {
  it("records helmet's headers once, in helmet's order", () => {
    const h = fixedHeaders(helmet());
    expect(h.set[0]).toEqual(['Content-Security-Policy', expect.stringContaining("script-src 'self'")]);
    expect(h.set.map(([name]) => name)).toContain('Strict-Transport-Security');
    expect(h.removed).toEqual(['X-Powered-By']);
  });

  it('refuses a header that differs per request (a CSP nonce): start-up fails instead of fixing one nonce for all', () => {
    const nonce = () => `'nonce-${randomBytes(8).toString('hex')}'`;
    expect(() => fixedHeaders(helmet({ contentSecurityPolicy: { directives: { 'script-src': ["'self'", nonce] } } }))).toThrow(
      /per-request/,
    );
  });
});
