import { BOOTSTRAP_ENV } from '../support/identity.js';
import { expectProblem, startTestApp, type TestApp } from '../support/test-app.js';
import { rootOperator, type Auth, type Tenant } from '../tier/support.js';
import { createChain, createVenue, link } from './support.js';

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';
interface Case {
  method: Method;
  path: string;
  body?: unknown;
  /** The field the 400 names. */
  field: string;
  as?: 'op' | 'chain' | 'venue' | 'none';
}

/**
 * Every chain endpoint with bad input: 400 problem+json, `validation_failed`, the field named in the
 * detail — never a 500. One row per field rule; a valid body with one field broken at a time, so
 * it is that field (and not a missing other one) that the answer names.
 */
describe('venue chains: bad input on every endpoint (e2e)', () => {
  let t: TestApp;
  let op: Auth;
  let A: Tenant, V: Tenant;
  let league: string, event: string;
  const auth = (as: Case['as']) => (as === 'op' ? op : as === 'venue' ? V.admin : as === 'none' ? {} : A.admin);

  beforeAll(async () => {
    t = await startTestApp({ env: BOOTSTRAP_ENV, clock: undefined });
    op = (await rootOperator(t)).auth;
    A = await createChain(t, op, 'BADA');
    V = await createVenue(t, op, 'V');
    await link(t, A, V);
    league = (
      await t.http
        .post(`/chain/${A.tenant_id}/leagues`)
        .set(A.admin)
        .send({ name: 'L', venue_ids: [V.tenant_id], season_start: '2026-01-01', season_end: '2026-12-31' })
        .expect(201)
    ).body.league_id;
    event = (
      await t.http
        .post(`/chain/${A.tenant_id}/corporate-events`)
        .set(A.admin)
        .send({
          company_name: 'Acme',
          contact_email: 'a@acme.example',
          host_venue_tenant_id: V.tenant_id,
          event_date: '2026-12-31',
          guests: 5,
        })
        .expect(201)
    ).body.corporate_event_id;
  });
  afterAll(() => t.close());

  const chainBody = {
    name: 'C',
    country: 'SE',
    chain_code: 'NEWC',
    admin: { email: 'c@new.test', display_name: 'C', password: 'a long enough password 123' },
  };
  const leagueBody = () => ({ name: 'L2', venue_ids: [V.tenant_id], season_start: '2026-01-01', season_end: '2026-06-30' });
  const resultBody = () => ({
    venue_id: V.tenant_id,
    player_user_id: V.admin_id,
    played_at: '2026-02-01T10:00:00Z',
    won: true,
    points_for: 13,
    points_against: 5,
  });
  const eventBody = () => ({
    company_name: 'Acme',
    contact_email: 'a@acme.example',
    host_venue_tenant_id: V.tenant_id,
    event_date: '2026-12-31',
    guests: 5,
  });
  const wlBody = {
    app_name: 'X',
    colors: { primary: '#000', secondary: '#fff', accent: '#f80' },
    logo_url: 'https://x.example/l.svg',
    hide_petanque_life_branding: false,
  };
  const cases = (): Case[] => {
    const c = `/chain/${A.tenant_id}`;
    const rows: Case[] = [
      // POST /admin/tenants/chain
      ...(
        [
          ['name', { name: '' }],
          ['country', { country: 'Sweden' }],
          ['chain_code', { chain_code: 'ab' }],
          ['tenant_type', { tenant_type: 'CLUB' }],
          ['admin', { admin: 'x' }],
          ['admin.email', { admin: { ...chainBody.admin, email: 'nope' } }],
        ] as const
      ).map(([field, over]) => ({
        method: 'post' as const,
        path: '/admin/tenants/chain',
        body: { ...chainBody, ...over },
        field,
        as: 'op' as const,
      })),
      // venues
      { method: 'post', path: `${c}/add-venue`, body: { venue_tenant_id: 'v' }, field: 'venue_tenant_id' },
      { method: 'get', path: `${c}/venues?status=GONE`, field: 'status' },
      { method: 'get', path: `${c}/venues?limit=500`, field: 'limit' },
      // leagues
      ...(
        [
          ['name', { name: '' }],
          ['venue_ids', { venue_ids: [] }],
          ['venue_ids', { venue_ids: ['x'] }],
          ['season_start', { season_start: '2026-13-01' }],
          ['season_end', { season_end: 'soon' }],
        ] as const
      ).map(([field, over]) => ({ method: 'post' as const, path: `${c}/leagues`, body: { ...leagueBody(), ...over }, field })),
      { method: 'get', path: `${c}/leagues?limit=abc`, field: 'limit' },
      ...(
        [
          ['venue_id', { venue_id: 1 }],
          ['player_user_id', { player_user_id: 'p' }],
          ['played_at', { played_at: 'yesterday' }],
          ['won', { won: 'yes' }],
          ['points_for', { points_for: 14 }],
          ['points_against', { points_against: -1 }],
        ] as const
      ).map(([field, over]) => ({
        method: 'post' as const,
        path: `${c}/leagues/${league}/results`,
        body: { ...resultBody(), ...over },
        field,
      })),
      { method: 'get', path: `${c}/leagues/${league}/leaderboard?venue_id=v`, field: 'venue_id' },
      { method: 'get', path: `${c}/leagues/${league}/leaderboard?limit=0`, field: 'limit' },
      // invoices
      { method: 'get', path: `${c}/invoices?limit=0`, field: 'limit' },
      { method: 'get', path: `${c}/invoices/00000000-0000-4000-8000-000000000000?format=pdf`, field: 'format' },
      // corporate events
      ...(
        [
          ['company_name', { company_name: '' }],
          ['contact_email', { contact_email: 'x' }],
          ['host_venue_tenant_id', { host_venue_tenant_id: 'v' }],
          ['event_date', { event_date: '31.12.2026' }],
          ['guests', { guests: 0 }],
          ['notes', { notes: 7 }],
        ] as const
      ).map(([field, over]) => ({ method: 'post' as const, path: `${c}/corporate-events`, body: { ...eventBody(), ...over }, field })),
      { method: 'get', path: `${c}/corporate-events?status=OPEN`, field: 'status' },
      { method: 'patch', path: `${c}/corporate-events/${event}`, body: { status: 'LATER' }, field: 'status' },
      { method: 'patch', path: `${c}/corporate-events/${event}`, body: { status: 'QUOTED', quote_amount: 10 }, field: 'quote_currency' },
      // white label
      ...(
        [
          ['app_name', { app_name: 3 }],
          ['colors.accent', { colors: { primary: '#000', secondary: '#fff' } }],
          ['logo_url', { logo_url: 'http://x.example/l.svg' }],
          ['icon_url', { icon_url: 'data:image/png;base64,AAAA' }],
          ['custom_domain', { custom_domain: 'x.example/path' }],
          ['hide_petanque_life_branding', { hide_petanque_life_branding: null }],
        ] as const
      ).map(([field, over]) => ({ method: 'put' as const, path: `${c}/white-label`, body: { ...wlBody, ...over }, field })),
      { method: 'get', path: '/public/branding?domain=a_b.example', field: 'domain', as: 'none' },
    ];
    // an unknown field is named on every endpoint with a body
    const withBody: Array<[Method, string, unknown, Case['as']?]> = [
      ['post', '/admin/tenants/chain', chainBody, 'op'],
      ['post', `${c}/add-venue`, { venue_tenant_id: V.tenant_id }],
      ['post', `${c}/leagues`, leagueBody()],
      ['post', `${c}/leagues/${league}/results`, resultBody()],
      ['post', `${c}/corporate-events`, eventBody()],
      ['patch', `${c}/corporate-events/${event}`, { status: 'CANCELLED' }],
      ['put', `${c}/white-label`, wlBody],
    ];
    for (const [method, path, body, as] of withBody)
      rows.push({ method, path, body: { ...(body as object), surprise_field: 1 }, field: 'surprise_field', as });
    return rows;
  };

  it('every row: 400 problem+json validation_failed naming the field, nothing written', async () => {
    const rows = cases();
    expect(rows.length).toBeGreaterThan(45);
    for (const row of rows) {
      let req = t.http[row.method](row.path).set(auth(row.as) as Record<string, string>);
      const res = await (row.body === undefined ? req : (req = req.send(row.body as object)));
      try {
        expectProblem(res, 400, 'validation_failed');
        expect(String(res.body.detail)).toContain(row.field);
      } catch (e) {
        throw new Error(`${row.method.toUpperCase()} ${row.path} (${row.field}): ${res.status} ${JSON.stringify(res.body)}\n${String(e)}`);
      }
    }
    // the event the PATCH rows aimed at did not move
    expect((await t.http.get(`/chain/${A.tenant_id}/corporate-events/${event}`).set(A.admin).expect(200)).body.status).toBe('INQUIRY');
  });

  it('a body that is not JSON is 400 on every endpoint with a body', async () => {
    for (const [method, path] of [
      ['post', `/chain/${A.tenant_id}/add-venue`],
      ['post', `/chain/${A.tenant_id}/corporate-events`],
      ['patch', `/chain/${A.tenant_id}/corporate-events/${event}`],
      ['put', `/chain/${A.tenant_id}/white-label`],
    ] as const) {
      const res = await t.http[method](path).set(A.admin).set('Content-Type', 'application/json').send('{"oops":');
      expectProblem(res, 400);
    }
  });
});
