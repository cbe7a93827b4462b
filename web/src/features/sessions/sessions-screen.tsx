import { Status } from '../../components/status';
import { useI18n } from '../../lib/i18n';
import { SecurityEventList } from '../security-events/security-event-list';
import { deviceName, placeName, useRevokeAllOthers, useRevokeSession, useSessions } from './api';

/** /account/sessions: the page the security e-mails' "wasn't you?" link opens. */
export function SessionsScreen() {
  const { t, lang } = useI18n();
  const sessions = useSessions();
  const revoke = useRevokeSession();
  const revokeAll = useRevokeAllOthers();
  const items = sessions.data?.items ?? [];
  return (
    <>
      <h1>{t('sessions.title')}</h1>
      <p>{t('sessions.intro')}</p>
      <Status id="status" status={sessions.isSuccess ? 'ok' : sessions.isError ? 'error' : 'pending'}>
        {sessions.isSuccess ? t('sessions.count', { count: items.length }) : sessions.error?.message}
      </Status>
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">{t('sessions.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('sessions.device')}</th>
              <th scope="col">{t('sessions.place')}</th>
              <th scope="col">{t('sessions.address')}</th>
              <th scope="col">{t('sessions.lastUsed')}</th>
              <th scope="col">{t('sessions.mfa')}</th>
              <th scope="col">{t('sessions.action')}</th>
            </tr>
          </thead>
          <tbody id="sessions">
            {items.map((s) => {
              const device = deviceName(s, t('sessions.unknownDevice'));
              return (
                <tr key={s.id} data-session-id={s.id} data-current={String(s.current)}>
                  <td>{device}</td>
                  <td>{placeName(s)}</td>
                  <td>{s.ip ?? ''}</td>
                  <td>{new Date(s.last_used_at).toLocaleString(lang)}</td>
                  <td>{s.mfa_satisfied ? t('yes') : t('no')}</td>
                  <td>
                    {s.current ? (
                      t('sessions.thisDevice')
                    ) : (
                      <button type="button" className="revoke" aria-label={t('sessions.revokeNamed', { device })} onClick={() => revoke.mutate(s.id)}>
                        {t('sessions.revoke')}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p>
        <button id="revoke-all" type="button" disabled={!sessions.isSuccess || revokeAll.isPending} onClick={() => revokeAll.mutate()}>
          {t('sessions.revokeAll')}
        </button>
      </p>
      <Status id="revoke-all-result" status={revokeAll.isSuccess ? 'ok' : revokeAll.isError ? 'error' : 'idle'}>
        {revokeAll.isSuccess ? t('sessions.revokedAll', { count: revokeAll.data.revoked }) : revokeAll.error?.message}
      </Status>
      <h2>{t('events.recent')}</h2>
      <SecurityEventList limit={10} />
    </>
  );
}
