import type { MessageKey } from '../i18n/en';
import { useT } from '../lib/i18n';

/** A screen that is routed and navigable but not built yet. */
export function PlaceholderScreen({ name }: { name: MessageKey }) {
  const t = useT();
  return (
    <>
      <h1>{t(name)}</h1>
      <p>{t('placeholder.body')}</p>
    </>
  );
}
