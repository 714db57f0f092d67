// Numbers, dates and phone numbers as German (and English) business data writes them:
// "1.234,56", "31.12.2026", "0171 1234567", "+49 (0) 30 123456".

const notations = {
  ',': { thousands: '.', grouped: /^[-+]?\d{1,3}(\.\d{3})+(,\d+)?$/, plain: /^[-+]?\d*(,\d+)?$/ },
  '.': { thousands: ',', grouped: /^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$/, plain: /^[-+]?\d*(\.\d+)?$/ },
} as const;

/** Parses a number in a locale's notation; undefined when it is not one. */
export function parseLocaleNumber(raw: unknown, locale: 'de' | 'en' | 'auto'): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw !== 'string') return undefined;
  let text = raw.replace(/\s|\u00a0|€|EUR|CHF|\$/gi, '');
  if (text === '') return undefined;
  let decimal: ',' | '.';
  if (locale === 'de') decimal = ',';
  else if (locale === 'en') decimal = '.';
  else {
    const lastComma = text.lastIndexOf(',');
    const lastDot = text.lastIndexOf('.');
    // "1.234" alone is ambiguous; three digits after a single separator read as thousands in German data.
    if (lastComma > lastDot) decimal = ',';
    else if (lastDot > lastComma && !(lastComma < 0 && /^\d{1,3}(\.\d{3})+$/.test(text.replace(/^[-+]/, ''))))
      decimal = '.';
    else decimal = ',';
  }
  const notation = notations[decimal];
  if (notation.grouped.test(text)) text = text.split(notation.thousands).join('');
  else if (!notation.plain.test(text) || text === '-' || text === '+') return undefined;
  const value = Number(decimal === ',' ? text.replace(',', '.') : text);
  return Number.isFinite(value) ? value : undefined;
}

export const dateFormats = [
  'DD.MM.YYYY',
  'D.M.YYYY',
  'DD.MM.YY',
  'YYYY-MM-DD',
  'DD/MM/YYYY',
  'MM/DD/YYYY',
  'DD.MM.YYYY HH:mm',
  'DD.MM.YYYY HH:mm:ss',
  'iso',
  'unix',
  'unixMs',
] as const;
export type DateFormat = (typeof dateFormats)[number];

const patterns: Partial<Record<DateFormat, RegExp>> = {
  'DD.MM.YYYY': /^(\d{2})\.(\d{2})\.(\d{4})$/,
  'D.M.YYYY': /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/,
  'DD.MM.YY': /^(\d{2})\.(\d{2})\.(\d{2})$/,
  'YYYY-MM-DD': /^(\d{4})-(\d{2})-(\d{2})$/,
  'DD/MM/YYYY': /^(\d{2})\/(\d{2})\/(\d{4})$/,
  'MM/DD/YYYY': /^(\d{2})\/(\d{2})\/(\d{4})$/,
  'DD.MM.YYYY HH:mm': /^(\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2})$/,
  'DD.MM.YYYY HH:mm:ss': /^(\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2}):(\d{2})$/,
};

/** A date as ISO 8601: YYYY-MM-DD for date-only formats, a UTC date-time otherwise. */
export function parseDate(raw: unknown, format: DateFormat, timezone = 'Europe/Berlin'): string | undefined {
  if (format === 'unix' || format === 'unixMs') {
    const value = typeof raw === 'string' && /^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
    return new Date(format === 'unix' ? value * 1000 : value).toISOString();
  }
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  if (format === 'iso') {
    if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text))
      return undefined;
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
  }
  const match = patterns[format]?.exec(text);
  if (!match) return undefined;
  const parts = match.slice(1).map(Number);
  let year: number;
  let month: number;
  let day: number;
  if (format === 'YYYY-MM-DD') [year, month, day] = parts as [number, number, number];
  else if (format === 'MM/DD/YYYY') [month, day, year] = parts as [number, number, number];
  else [day, month, year] = parts as [number, number, number];
  if (format === 'DD.MM.YY') year += year >= 70 ? 1900 : 2000;
  if (!isCalendarDate(year, month, day)) return undefined;
  const date = `${year}-${pad(month)}-${pad(day)}`;
  if (!format.includes('HH')) return date;
  const [hour = 0, minute = 0, second = 0] = parts.slice(3);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return zonedToUtc(year, month, day, hour, minute, second, timezone).toISOString();
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The UTC instant of a wall-clock time in a time zone. */
function zonedToUtc(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  timezone: string,
): Date {
  const guess = Date.UTC(y, mo - 1, d, h, mi, s);
  const offset = (at: number) => {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    }).formatToParts(new Date(at));
    const get = (type: string) => Number(parts.find((part) => part.type === type)?.value);
    return (
      Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - at
    );
  };
  const first = guess - offset(guess);
  return new Date(guess - offset(first));
}

const pad = (value: number) => String(value).padStart(2, '0');

const countryCodes: Record<string, string> = { DE: '49', AT: '43', CH: '41' };

/** A phone number in E.164 (+491711234567); undefined when it cannot be one. */
export function toE164(raw: unknown, defaultCountry = 'DE'): string | undefined {
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  let text = String(raw).trim();
  // "+49 (0) 30 …": the trunk zero in brackets is not dialled from abroad.
  text = text.replace(/\(0\)/g, '');
  text = text.replace(/[\s()./-]/g, '');
  if (text.startsWith('00')) text = `+${text.slice(2)}`;
  if (!text.startsWith('+')) {
    const code = countryCodes[defaultCountry.toUpperCase()];
    if (!code || !text.startsWith('0')) return undefined;
    text = `+${code}${text.slice(1)}`;
  }
  return /^\+[1-9]\d{6,14}$/.test(text) ? text : undefined;
}
