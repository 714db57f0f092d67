// Suggests which source field fills each canonical field: German and English synonyms first
// (Kundennummer ↔ customerNumber, PLZ ↔ zip), then name similarity. The wizard's starting point
// when a connector brings no default mapping.
import type { CanonicalField } from './canonicalEntities.ts';

export interface MappingSuggestion {
  target: string;
  from: string;
  score: number;
  reason: 'synonym' | 'similar';
}

/** Normalised words that mean the same canonical field (the last segment of its name). */
const synonyms: Record<string, string[]> = {
  customernumber: ['kundennummer', 'kundennr', 'kdnr', 'customerno', 'customerid', 'number', 'nummer'],
  name: ['firma', 'firmenname', 'company', 'companyname', 'name1', 'bezeichnung'],
  legalname: ['rechtsform', 'firmierung'],
  zip: ['plz', 'postleitzahl', 'postalcode', 'postcode', 'zipcode'],
  street: ['strasse', 'straße', 'str', 'streetname', 'address1', 'adresse'],
  city: ['ort', 'stadt', 'town', 'wohnort'],
  country: ['land', 'countrycode', 'laenderkennzeichen'],
  email: ['mail', 'emailadresse', 'e-mail', 'mailadresse'],
  phone: ['telefon', 'tel', 'telefonnummer', 'phonenumber', 'telephone'],
  mobile: ['mobil', 'handy', 'mobiltelefon', 'mobilenumber', 'cell'],
  vatid: ['ustidnr', 'ustid', 'umsatzsteuerid', 'vatnumber', 'vat', 'taxid'],
  firstname: ['vorname', 'givenname'],
  lastname: ['nachname', 'familienname', 'surname'],
  housenumber: ['hausnummer', 'hausnr', 'hnr'],
  sku: ['artikelnummer', 'artnr', 'artikelnr', 'productnumber', 'number', 'nummer'],
  price: ['preis', 'verkaufspreis', 'vkpreis', 'saleprice', 'salesprice'],
  unit: ['einheit', 'mengeneinheit'],
  currency: ['waehrung', 'währung'],
  creditlimit: ['kreditlimit'],
  paymentterms: ['zahlungsbedingungen', 'zahlungsziel'],
  position: ['funktion', 'jobtitle', 'titel'],
};

/** Lower case, umlauts spelled out, no separators: "USt-IdNr." and "ust_id_nr" both become "ustidnr". */
export function normaliseFieldName(name: string): string {
  return name
    .toLowerCase()
    .replaceAll('ä', 'ae')
    .replaceAll('ö', 'oe')
    .replaceAll('ü', 'ue')
    .replaceAll('ß', 'ss')
    .replace(/[^a-z0-9]/g, '');
}

const normalisedSynonyms = new Map(
  Object.entries(synonyms).map(([key, words]) => [key, new Set(words.map(normaliseFieldName))]),
);

/** Dot paths of the scalar fields the sample records carry (arrays and nested objects flattened one level). */
export function sourceFieldPaths(records: readonly unknown[]): string[] {
  const paths = new Set<string>();
  const visit = (value: unknown, prefix: string, depth: number) => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      if (prefix) paths.add(prefix);
      return;
    }
    for (const [key, inner] of Object.entries(value)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (depth < 2 && inner && typeof inner === 'object' && !Array.isArray(inner))
        visit(inner, path, depth + 1);
      else paths.add(path);
    }
  };
  for (const record of records) visit(record, '', 0);
  return [...paths];
}

function similarity(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length === 0 || b.length === 0) return 0;
  const distance = levenshtein(a, b);
  return 1 - distance / Math.max(a.length, b.length);
}

function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function score(target: string, source: string): { score: number; reason: MappingSuggestion['reason'] } {
  const targetKey = normaliseFieldName(target.split('.').at(-1) ?? target);
  const sourceKey = normaliseFieldName(source.split('.').at(-1) ?? source);
  if (targetKey === sourceKey) return { score: 1, reason: 'synonym' };
  if (normalisedSynonyms.get(targetKey)?.has(sourceKey)) return { score: 0.95, reason: 'synonym' };
  return { score: similarity(targetKey, sourceKey), reason: 'similar' };
}

/**
 * One suggestion per canonical field at most, each source field used once, best matches first.
 * Nested canonical fields (address.zip) only match source fields of the same parent or top-level ones.
 */
export function suggestMapping(
  canonicalFields: readonly CanonicalField[],
  sampleRecords: readonly unknown[],
  threshold = 0.8,
): MappingSuggestion[] {
  const sources = sourceFieldPaths(sampleRecords);
  const candidates: MappingSuggestion[] = [];
  for (const field of canonicalFields) {
    for (const source of sources) {
      const match = score(field.name, source);
      if (match.score >= threshold) candidates.push({ target: field.name, from: source, ...match });
    }
  }
  candidates.sort((a, b) => b.score - a.score || a.from.split('.').length - b.from.split('.').length);
  const usedTargets = new Set<string>();
  const usedSources = new Set<string>();
  const chosen: MappingSuggestion[] = [];
  for (const candidate of candidates) {
    if (usedTargets.has(candidate.target) || usedSources.has(candidate.from)) continue;
    usedTargets.add(candidate.target);
    usedSources.add(candidate.from);
    chosen.push(candidate);
  }
  return chosen.sort(
    (a, b) =>
      canonicalFields.findIndex((f) => f.name === a.target) -
      canonicalFields.findIndex((f) => f.name === b.target),
  );
}
