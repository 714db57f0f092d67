// The transforms a field can be given in the wizard, each a key for a Select.
import type { Transform } from '../api/types.ts';

export const transformChoices: Record<string, Transform[]> = {
  none: [],
  trim: [{ op: 'trim' }],
  uppercase: [{ op: 'uppercase' }],
  lowercase: [{ op: 'lowercase' }],
  numberDe: [{ op: 'number', locale: 'de' }],
  numberEn: [{ op: 'number', locale: 'en' }],
  dateDe: [{ op: 'date', format: 'DD.MM.YYYY' }],
  dateIso: [{ op: 'date', format: 'iso' }],
  phone: [{ op: 'phone', defaultCountry: 'DE' }],
  email: [{ op: 'email' }],
};

/** The key of the choice these transforms are, or `custom` for anything the list does not offer. */
export function transformKey(transforms: Transform[] | undefined): string {
  const wanted = JSON.stringify(transforms ?? []);
  for (const [key, choice] of Object.entries(transformChoices)) {
    if (JSON.stringify(choice) === wanted) return key;
  }
  // A default mapping may spell a choice's options differently (phone without a country).
  const first = transforms?.[0];
  if (transforms?.length === 1 && first?.op === 'phone') return 'phone';
  return 'custom';
}
