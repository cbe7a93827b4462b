import { useEffect, useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { useNavigation } from '../app/use-navigation';
import { useT } from '../lib/i18n';
import { Modal } from './modal';

/** Ctrl/Cmd-K: jump to any screen the person may use (the same tier-filtered list as the sidebar). */
export function CommandPalette() {
  const t = useT();
  const navigate = useNavigate();
  const sections = useNavigation();
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        setOpen((o) => !o);
        setQuery('');
        setActive(0);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const items = useMemo(() => {
    const q = query.trim().toLowerCase();
    return sections
      .flatMap((s) => s.items.map((i) => ({ ...i, text: `${t(s.label)} › ${t(i.label)}` })))
      .filter((i) => !q || i.text.toLowerCase().includes(q));
  }, [sections, query, t]);

  if (!open) return null;
  const go = (path: string) => {
    setOpen(false);
    navigate(path);
  };
  return (
    <Modal title={t('palette.title')} onClose={() => setOpen(false)} testId="command-palette">
      <input
        className="palette-input"
        role="combobox"
        aria-expanded="true"
        aria-controls="palette-list"
        aria-activedescendant={items[active] ? `palette-item-${active}` : undefined}
        aria-label={t('palette.placeholder')}
        placeholder={t('palette.placeholder')}
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') setActive((a) => Math.min(a + 1, items.length - 1));
          else if (e.key === 'ArrowUp') setActive((a) => Math.max(a - 1, 0));
          else if (e.key === 'Enter' && items[active]) go(items[active].path);
          else return;
          e.preventDefault();
        }}
      />
      <ul id="palette-list" role="listbox" className="palette-list" aria-label={t('palette.title')}>
        {items.map((i, n) => (
          <li key={i.path} id={`palette-item-${n}`} role="option" aria-selected={n === active} className={n === active ? 'active' : undefined} onClick={() => go(i.path)}>
            {i.text}
          </li>
        ))}
      </ul>
      {items.length === 0 && <p>{t('palette.empty')}</p>}
    </Modal>
  );
}
