import { useState } from 'react';
import { Link } from 'react-router';
import { Field } from '../../components/field';
import { useT } from '../../lib/i18n';
import { useSysTenants } from './api';
import { TableHead } from '../../components/table-head';

/** `/sys/tenants`: the operator's tenant list (newest first) with a name / id search, each leading to its tier workspace. */
export function TenantsScreen() {
  const t = useT();
  const [q, setQ] = useState('');
  const tenants = useSysTenants(q.trim());
  return (
    <>
      <h1>{t('nav.tenants')}</h1>
      <form role="search" onSubmit={(e) => e.preventDefault()}>
        <Field id="tenant-search" type="search" label={t('opTier.search')} value={q} onChange={(e) => setQ(e.target.value)} />
      </form>
      {tenants.isError && <p role="alert">{t('app.error', { detail: tenants.error.message })}</p>}
      <div className="table-wrap">
        <table id="tenants">
          <TableHead columns={['opTier.name', 'opTier.tenantType', 'opTier.country']} />
          <tbody>
            {tenants.data?.items.map((x) => (
              <tr key={x.id} data-tenant-id={x.id}>
                <td>
                  <Link to={`/sys/tenants/${x.id}/tier`}>{x.name}</Link>
                </td>
                <td>
                  <span className="chip">{x.tenant_type}</span>
                </td>
                <td>{x.country}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
