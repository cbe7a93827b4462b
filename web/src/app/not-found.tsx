import { useT } from '../lib/i18n';

export function NotFound() {
  const t = useT();
  return <h1>{t('app.notFound')}</h1>;
}
