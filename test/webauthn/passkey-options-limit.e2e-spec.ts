import { expectProblem, startTestApp, type TestApp } from '../support/test-app.js';
import { PASSKEY_OPTIONS_PER_MINUTE } from '../../src/mfa/webauthn/webauthn.controller.js';

describe('public passkey login options are bounded per client address', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { TRUST_PROXY: 'loopback' } }); // X-Forwarded-For below plays a second client behind a local proxy
  });
  afterAll(() => t.close());

  it(`answers ${PASSKEY_OPTIONS_PER_MINUTE} per minute, then 429 rate_limited with Retry-After, and again after the window`, async () => {
    for (let i = 0; i < PASSKEY_OPTIONS_PER_MINUTE; i++) await t.http.post('/auth/passkey/login/options').expect(200);
    const refused = await t.http.post('/auth/passkey/login/options');
    expectProblem(refused, 429, 'rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // another address has its own budget
    await t.http.post('/auth/passkey/login/options').set('X-Forwarded-For', '203.0.113.9').expect(200);
    t.clock.advance(60_000);
    await t.http.post('/auth/passkey/login/options').expect(200);
  });
});
