import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { en, type MessageKey } from '../i18n/en';
import { sv } from '../i18n/sv';

export type Language = 'sv' | 'en';
const DICTIONARIES: Record<Language, Record<MessageKey, string>> = { sv, en };
const STORAGE_KEY = 'pl-language'; // a preference, not a secret

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translate(lang: Language, key: MessageKey, vars?: Record<string, string | number>): string {
  const text = DICTIONARIES[lang][key] ?? en[key];
  return vars ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : text;
}

function initialLanguage(): Language {
  const saved = typeof localStorage !== 'undefined' ? localStorage.getItem(STORAGE_KEY) : null;
  if (saved === 'sv' || saved === 'en') return saved;
  return typeof navigator !== 'undefined' && navigator.language.toLowerCase().startsWith('sv') ? 'sv' : 'en';
}

interface I18n {
  lang: Language;
  setLang: (l: Language) => void;
  t: Translate;
}
const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children, language }: { children: ReactNode; language?: Language }) {
  const [lang, setLangState] = useState<Language>(language ?? initialLanguage);
  const setLang = useCallback((l: Language) => {
    localStorage.setItem(STORAGE_KEY, l);
    setLangState(l);
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const value = useMemo<I18n>(() => ({ lang, setLang, t: (key, vars) => translate(lang, key, vars) }), [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n outside <I18nProvider>');
  return ctx;
}

export const useT = (): Translate => useI18n().t;
