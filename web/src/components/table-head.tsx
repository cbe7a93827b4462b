import { useT } from '../lib/i18n';
import type { MessageKey } from '../i18n/en';

/** A table's header row: one column header (`scope="col"`) per text key. */
export function TableHead({ columns }: { columns: MessageKey[] }) {
  const t = useT();
  return (
    <thead>
      <tr>
        {columns.map((c) => (
          <th scope="col" key={c}>
            {t(c)}
          </th>
        ))}
      </tr>
    </thead>
  );
}
