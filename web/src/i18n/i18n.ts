// German by default, English on request; the choice is kept in localStorage and set as <html lang>.
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { de } from './de.ts';
import { en } from './en.ts';

export const languages = ['de', 'en'] as const;
export type Language = (typeof languages)[number];

const LANGUAGE_KEY = 'hub.language';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof de };
  }
}

function storedLanguage(): Language {
  const stored = localStorage.getItem(LANGUAGE_KEY);
  return stored === 'en' ? 'en' : 'de';
}

export async function setupI18n(): Promise<void> {
  await i18n.use(initReactI18next).init({
    resources: { de: { translation: de }, en: { translation: en } },
    lng: storedLanguage(),
    fallbackLng: 'de',
    interpolation: { escapeValue: false },
  });
  document.documentElement.lang = i18n.language;
  i18n.on('languageChanged', (language) => {
    document.documentElement.lang = language;
    localStorage.setItem(LANGUAGE_KEY, language);
  });
}

export function currentLanguage(): Language {
  return i18n.language === 'en' ? 'en' : 'de';
}
