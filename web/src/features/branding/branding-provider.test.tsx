/** @jest-environment jsdom */
import { afterEach, describe, expect, it } from '@jest/globals';
import { cleanup, screen, waitFor } from '@testing-library/react';
import { tokens } from '../../lib/tokens';
import { fakeServer, problem } from '../../test/fake-server';
import { renderApp } from '../../test/render';
import { brandableHost, brandVariables, contrast, readableOn, type Branding } from './branding';
import { Brand, BrandingProvider } from './branding-provider';

afterEach(() => {
  cleanup();
  tokens.set(null);
});

const CHAIN = '0b0e7c3a-5a5b-4c4d-8e8f-909192939495';
const BOULE: Branding = {
  chain_id: CHAIN,
  chain_code: 'BOULE',
  app_name: 'Boule Bar',
  colors: { primary: '#0b3d91', secondary: '#ffffff', accent: '#ff8800' },
  logo_url: 'https://cdn.boulebar.example/logo.svg',
  icon_url: 'https://cdn.boulebar.example/icon.png',
  custom_domain: 'app.boulebar.example',
  hide_petanque_life_branding: true,
  updated_at: '2026-03-01T10:00:00.000Z',
};
const css = (name: string) => document.documentElement.style.getPropertyValue(name);
const ui = (host: string) => (
  <BrandingProvider host={host}>
    <Brand productName="Petanque Life" />
  </BrandingProvider>
);

describe('branding provider (F02.09.05)', () => {
  it('on a chain domain: the public branding sets colours, title, icon, logo and name, and hides Petanque Life when asked', async () => {
    const server = fakeServer({ 'GET /public/branding': () => [200, BOULE] });
    const { unmount } = renderApp(ui('app.boulebar.example'));
    await waitFor(() => expect(screen.getByText('Boule Bar')).toBeTruthy());
    expect(server.calls[0]).toMatchObject({ method: 'GET', path: '/public/branding' });
    expect(server.calls[0]!.headers.Authorization).toBeUndefined(); // public: no token sent
    expect(screen.queryByText('Petanque Life')).toBeNull();
    expect(document.querySelector('.brand-logo')?.getAttribute('src')).toBe(BOULE.logo_url);
    expect(css('--brand-bg')).toBe('#0b3d91');
    expect(css('--brand-fg')).toBe('#ffffff');
    expect(css('--accent')).toBe('#0b3d91'); // dark enough for links on white
    expect(document.title).toBe('Boule Bar');
    expect(document.querySelector('link[rel="icon"]')?.getAttribute('href')).toBe(BOULE.icon_url);
    unmount(); // the branding is taken off again
    expect(css('--brand-bg')).toBe('');
    expect(document.querySelector('link[rel="icon"]')).toBeNull();
  });

  it('keeps the Petanque Life brand beside the chain’s when the chain does not hide it; a light primary leaves link colours alone', async () => {
    fakeServer({ 'GET /public/branding': () => [200, { ...BOULE, hide_petanque_life_branding: false, colors: { ...BOULE.colors, primary: '#ffd84d' } }] });
    renderApp(ui('app.boulebar.example'));
    await waitFor(() => expect(screen.getByText('Boule Bar')).toBeTruthy());
    expect(screen.getByText('Petanque Life')).toBeTruthy();
    expect(css('--brand-fg')).toBe('#000000');
    expect(css('--accent')).toBe('');
  });

  it('an unknown domain, or an address that is not a host name, keeps Petanque Life (no call for an IP address)', async () => {
    const server = fakeServer({ 'GET /public/branding': () => [404, problem(404, 'branding_not_found')] });
    renderApp(ui('other.example'));
    await waitFor(() => expect(server.count('GET /public/branding')).toBe(1));
    expect(screen.getByText('Petanque Life')).toBeTruthy();
    expect(css('--brand-bg')).toBe('');
    cleanup();
    renderApp(ui('127.0.0.1'));
    expect(server.count('GET /public/branding')).toBe(1);
    expect(screen.getByText('Petanque Life')).toBeTruthy();
  });

  it('a signed-in member of a CHAIN tenant gets the chain’s own white label on any host; a CLUB member does not ask', async () => {
    tokens.set('access-token');
    const me = (tenant_type: string) => () =>
      [200, { user: { id: 'u', email: 'a@b.se', display_name: null, language: null }, tenant: { id: CHAIN, tenant_type }, roles: ['tenant_admin'], session_id: 's', amr: ['pwd'], mfa_at: null, mfa_method: null }] as [number, unknown];
    const server = fakeServer({ 'GET /me': me('CHAIN'), [`GET /chain/${CHAIN}/white-label`]: () => [200, BOULE] });
    renderApp(ui('127.0.0.1'));
    await waitFor(() => expect(screen.getByText('Boule Bar')).toBeTruthy());
    expect(server.calls.find((c) => c.path.endsWith('/white-label'))!.headers.Authorization).toBe('Bearer access-token');
    cleanup();
    const club = fakeServer({ 'GET /me': me('CLUB') });
    renderApp(ui('127.0.0.1'));
    await waitFor(() => expect(club.count('GET /me')).toBe(1));
    expect(club.calls.some((c) => c.path.includes('white-label'))).toBe(false);
    expect(screen.getByText('Petanque Life')).toBeTruthy();
  });

  it('colour helpers: WCAG contrast, readable text, host names', () => {
    expect(contrast('#000', '#fff')).toBeCloseTo(21, 5);
    expect(readableOn('#ffffff')).toBe('#000000');
    expect(readableOn('#0b5cad')).toBe('#ffffff');
    expect(brandVariables({ ...BOULE, colors: { primary: '#fff', secondary: '#000', accent: '#f80' } })['--accent']).toBeUndefined();
    expect(brandableHost('app.boulebar.example')).toBe(true);
    for (const h of ['localhost', '127.0.0.1', '10.0.0.1', '']) expect([h, brandableHost(h)]).toEqual([h, false]);
  });
});
