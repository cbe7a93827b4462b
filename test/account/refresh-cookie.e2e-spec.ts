import { startTestApp, expectProblem, type TestApp } from '../support/test-app.js';
import { addMember, adminLogin, BOOTSTRAP_ENV, bearer, login } from '../support/identity.js';

/**
 * The web app's refresh (issue 18): `refresh_cookie: true` on login puts the refresh token only in
 * an httpOnly, Secure, SameSite=Strict cookie on /auth/refresh; a cookie refresh needs the CSRF
 * header bound to that session; API clients keep the JSON refresh token.
 */
interface Cookie {
  name: string;
  value: string;
  attrs: string[];
}
function cookiesOf(res: { headers: Record<string, unknown> }): Cookie[] {
  const raw = (res.headers['set-cookie'] as string[] | undefined) ?? [];
  return raw.map((line) => {
    const [pair, ...attrs] = line.split(/;\s*/);
    const i = pair!.indexOf('=');
    return { name: pair!.slice(0, i), value: decodeURIComponent(pair!.slice(i + 1)), attrs: attrs.map((a) => a.toLowerCase()) };
  });
}
const REFRESH = '__Secure-pl_refresh';
const CSRF = '__Host-pl_csrf';

describe('refresh token as an httpOnly cookie, with CSRF protection', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { ...BOOTSTRAP_ENV, REFRESH_REUSE_GRACE_SECONDS: '0' } });
  });
  afterAll(() => t?.close());

  async function cookieLogin(email: string, password: string) {
    const res = await t.http.post('/auth/login').send({ email, password, refresh_cookie: true }).expect(200);
    const c = cookiesOf(res);
    return { res, refresh: c.find((x) => x.name === REFRESH)!, csrf: c.find((x) => x.name === CSRF)! };
  }
  const refreshWith = (refresh: string, csrf?: string) => {
    const req = t.http.post('/auth/refresh').set('Cookie', `${REFRESH}=${encodeURIComponent(refresh)}`);
    return (csrf === undefined ? req : req.set('X-CSRF-Token', csrf)).send({});
  };

  it('keeps the refresh token out of the body and in a cookie scoped to the refresh path', async () => {
    const { res, refresh, csrf } = await cookieLogin('admin@federation.test', BOOTSTRAP_ENV.BOOTSTRAP_ADMIN_PASSWORD);
    expect(res.body.refresh_token).toBeUndefined();
    expect(res.body.access_token).toEqual(expect.any(String));
    expect(refresh.value.startsWith(`${res.body.session_id}.`)).toBe(true);
    expect(refresh.attrs).toEqual(expect.arrayContaining(['path=/auth/refresh', 'httponly', 'secure', 'samesite=strict']));
    expect(csrf.attrs).toEqual(expect.arrayContaining(['path=/', 'secure', 'samesite=strict']));
    expect(csrf.attrs).not.toContain('httponly'); // the page reads it to send the header
    expect(csrf.value).not.toContain(refresh.value.split('.')[1]!);
  });

  it('refreshes from the cookie only with the CSRF header of that session, and rotates the cookie', async () => {
    const m = await addMember(t, await adminLogin(t), { email: 'cookie-a@club.test' });
    await addMember(t, await adminLogin(t), { email: 'cookie-b@club.test', password: m.password });
    const a = await cookieLogin('cookie-a@club.test', m.password);
    const b = await cookieLogin('cookie-b@club.test', m.password);

    expectProblem(await refreshWith(a.refresh.value), 403, 'csrf_token_invalid');
    expectProblem(await refreshWith(a.refresh.value, 'x'.repeat(43)), 403, 'csrf_token_invalid');
    // another session's CSRF value does not unlock this session's cookie
    expectProblem(await refreshWith(a.refresh.value, b.csrf.value), 403, 'csrf_token_invalid');
    // the failed attempts neither rotated nor revoked anything
    const ok = await refreshWith(a.refresh.value, a.csrf.value).expect(200);
    expect(ok.body.refresh_token).toBeUndefined();
    const next = cookiesOf(ok).find((c) => c.name === REFRESH)!;
    expect(next.value).not.toBe(a.refresh.value);
    expect(next.value.startsWith(`${a.res.body.session_id}.`)).toBe(true);
    await t.http.get('/me').set(bearer(ok.body.access_token)).expect(200);

    // the rotated cookie presented again is reuse: the family dies and the dead cookie is cleared
    const reused = await refreshWith(a.refresh.value, a.csrf.value);
    expectProblem(reused, 401, 'refresh_token_reused');
    expect(cookiesOf(reused).find((c) => c.name === REFRESH)?.attrs).toEqual(expect.arrayContaining(['path=/auth/refresh']));
    expect(cookiesOf(reused).find((c) => c.name === REFRESH)?.value).toBe('');
    expectProblem(await refreshWith(next.value, a.csrf.value), 401, 'session_revoked');
    // b is untouched
    await refreshWith(b.refresh.value, b.csrf.value).expect(200);
  });

  it('API clients keep the JSON refresh token; no body token and no cookie names the field', async () => {
    const l = await login(t, 'admin@federation.test', BOOTSTRAP_ENV.BOOTSTRAP_ADMIN_PASSWORD);
    const r = await t.http.post('/auth/refresh').send({ refresh_token: l.refresh_token }).expect(200);
    expect(r.body.refresh_token).toEqual(expect.any(String));
    expect(cookiesOf(r)).toEqual([]);
    const none = await t.http.post('/auth/refresh').send({});
    expectProblem(none, 400, 'validation_failed');
    expect(none.body.field).toBe('refresh_token');
  });

  it('logout clears both cookies', async () => {
    const { res } = await cookieLogin('admin@federation.test', BOOTSTRAP_ENV.BOOTSTRAP_ADMIN_PASSWORD);
    const out = await t.http.post('/auth/logout').set(bearer(res.body.access_token)).expect(204);
    const cleared = cookiesOf(out);
    expect(cleared.map((c) => [c.name, c.value])).toEqual(expect.arrayContaining([[REFRESH, ''], [CSRF, '']]));
  });
});
