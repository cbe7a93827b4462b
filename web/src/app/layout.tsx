import { NavLink, Outlet } from 'react-router';
import { CommandPalette } from '../components/command-palette';
import { useI18n } from '../lib/i18n';
import { useLogOut, useMe } from '../features/auth/session';
import { MfaBanner } from '../features/mfa/mfa-banner';
import { TenantTierUpgradeHost } from '../features/tiers/tenant-tier-upgrade-modal';
import { StepUpProvider } from '../features/step-up/step-up-provider';
import { Brand } from '../features/branding/branding-provider';
import { useNavigation } from './use-navigation';

/** The signed-in shell: skip link, top bar, tier-aware sidebar, banner, screen, app-wide dialogs. */
export function Layout() {
  const { t, lang, setLang } = useI18n();
  const me = useMe();
  const logOut = useLogOut();
  const sections = useNavigation();
  return (
    <div className="shell">
      <a className="skip" href="#main">
        {t('app.skip')}
      </a>
      <header className="topbar">
        <Brand productName={t('app.name')} />
        <span className="who">{me.data ? `${me.data.user.email} · ${me.data.tenant.name ?? ''}` : ''}</span>
        <span className="kbd-hint" aria-hidden="true">
          {t('palette.hint')}
        </span>
        <label className="lang">
          <span className="visually-hidden">{t('app.language')}</span>
          <select value={lang} onChange={(e) => setLang(e.target.value as 'sv' | 'en')}>
            <option value="sv">Svenska</option>
            <option value="en">English</option>
          </select>
        </label>
        <button type="button" id="sign-out" onClick={() => void logOut()}>
          {t('app.signOut')}
        </button>
      </header>
      <nav className="sidebar" aria-label={t('nav.main')}>
        {sections.map((s) => (
          <section key={s.id} data-section={s.id}>
            <h2>{t(s.label)}</h2>
            <ul>
              {s.items.map((i) => (
                <li key={i.path}>
                  <NavLink to={i.path} end>
                    {t(i.label)}
                  </NavLink>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        <MfaBanner />
        <Outlet />
      </main>
      <CommandPalette />
      <TenantTierUpgradeHost />
      <StepUpProvider />
    </div>
  );
}
