import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, expectProblem, type TestApp } from '../support/test-app.js';
import { adminLogin, BOOTSTRAP_ENV } from '../support/identity.js';
import { ensureWebBuilt, ROOT } from '../support/web-app.js';

/**
 * Nest serves the web app (web/dist) on the API's origin: a browser navigation to /account/…,
 * /admin/… or /sys/… gets index.html (the router picks the screen), hashed assets under /app/, and
 * the API routes under the same prefixes keep answering JSON to calls that ask for it.
 */
describe('the web app served by Nest', () => {
  let t: TestApp;
  beforeAll(async () => {
    ensureWebBuilt();
    t = await startTestApp({ env: BOOTSTRAP_ENV });
  }, 120_000);
  afterAll(() => t?.close());

  const html = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

  it('answers every screen path with index.html under the strict CSP, with no inline script', async () => {
    for (const path of ['/account', '/account/sessions', '/account/passkeys', '/account/reset-password', '/admin/chain/venues', '/sys/tenants/x/tier']) {
      const res = await t.http.get(path).set('Accept', html).expect(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['content-security-policy']).toMatch(/script-src 'self'/);
      expect(res.headers['content-security-policy']).not.toMatch(/unsafe-inline[^;]*;?\s*$|script-src[^;]*unsafe/);
      expect(res.text).toContain('<div id="root"></div>');
      // scripts only by src (no inline code), and no inline event handlers
      expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|\son\w+=/i);
    }
  });

  it('serves the hashed assets from /app/ with long caching; the bundle talks to the API', async () => {
    const index = (await t.http.get('/account').set('Accept', html)).text;
    const src = /<script[^>]+src="(\/app\/assets\/[^"]+\.js)"/.exec(index)![1]!;
    const js = await t.http.get(src).expect(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.headers['cache-control']).toMatch(/max-age=31536000/);
    expect(js.text).toContain('/auth/passkey/login/verify');
    expect(js.text).toContain('/me/tenant-tier');
    const built = readdirSync(join(ROOT, 'web', 'dist', 'assets'));
    expect(built).toContain(src.split('/').pop());
    expect(readFileSync(join(ROOT, 'web', 'dist', 'index.html'), 'utf8')).toBe(index);
    await t.http.get('/app/assets/no-such-file.js').expect(404);
  });

  it('leaves the API under /sys and /admin to calls that ask for JSON', async () => {
    expectProblem(await t.http.get('/sys/tenants').set('Accept', 'application/json'), 401, 'unauthenticated');
    expectProblem(await t.http.get('/sys/tenants'), 401, 'unauthenticated'); // no Accept: an API client
    const admin = await adminLogin(t);
    const api = await t.http.get(`/tenants/${admin.tenant_id}/members`).set(admin.auth).set('Accept', 'application/json').expect(200);
    expect(api.headers['content-type']).toMatch(/application\/json/);
    // a non-GET under a screen prefix is never the app
    expectProblem(await t.http.post('/admin/tenants/chain').set('Accept', html).send({}), 401, 'unauthenticated');
  });
});
