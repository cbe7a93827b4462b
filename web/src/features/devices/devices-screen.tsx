import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Field } from '../../components/field';
import { Status } from '../../components/status';
import { api } from '../../lib/api-client';
import { useI18n } from '../../lib/i18n';
import { devicesKey, useThisBrowser, useTrustedDevices } from './api';

/**
 * /account/devices: a trusted device skips the second factor at login for 30 days. "Trust this
 * browser" asks the API to keep the device token as an httpOnly cookie (never visible here).
 */
export function DevicesScreen() {
  const { t, lang } = useI18n();
  const qc = useQueryClient();
  const list = useTrustedDevices();
  const self = useThisBrowser();
  const [name, setName] = useState(t('devices.defaultName'));
  const invalidate = () => qc.invalidateQueries({ queryKey: devicesKey });
  const add = useMutation({
    mutationFn: () => api.post<{ id: string; name: string }>('/auth/mfa/trusted-devices', { name: name.trim() || t('devices.defaultName'), cookie: true }),
    onSuccess: invalidate,
  });
  const remove = useMutation({ mutationFn: (id: string) => api.delete(`/auth/mfa/trusted-devices/${encodeURIComponent(id)}`), onSuccess: invalidate });
  const items = list.data?.items ?? [];
  return (
    <>
      <h1>{t('devices.title')}</h1>
      <p>{t('devices.intro')}</p>
      {self.data?.trusted ? (
        <p data-testid="this-browser-trusted">{t('devices.thisTrusted', { until: new Date(self.data.expires_at ?? '').toLocaleDateString(lang) })}</p>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            add.mutate();
          }}
        >
          <Field id="device-name" label={t('devices.name')} maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
          <button type="submit" className="primary" disabled={add.isPending}>
            {t('devices.add')}
          </button>
        </form>
      )}
      <Status id="devices-result" status={add.isSuccess ? 'ok' : add.isError || remove.isError ? 'error' : 'idle'}>
        {add.isSuccess ? t('devices.added', { name: add.data.name }) : (add.error ?? remove.error)?.message}
      </Status>
      <h2>{t('devices.list')}</h2>
      {list.isSuccess && items.length === 0 && <p>{t('devices.none')}</p>}
      <ul id="devices" className="cards">
        {items.map((d) => (
          <li key={d.id} data-device-id={d.id}>
            <strong>{d.name}</strong>
            {d.id === self.data?.id ? ` (${t('devices.thisBrowser')})` : ''} · {[d.device?.browser, d.device?.os].filter(Boolean).join(' on ')}
            {' · '}
            {t('devices.expires', { when: new Date(d.expires_at).toLocaleDateString(lang) })}{' '}
            <button type="button" onClick={() => remove.mutate(d.id)}>
              {t('devices.remove', { name: d.name })}
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}
