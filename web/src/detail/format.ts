import { currentLanguage } from '../i18n/i18n.ts';

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  const locale = currentLanguage() === 'de' ? 'de-DE' : 'en-GB';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'medium' }).format(new Date(iso));
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
