// Realistic German B2B food customers (restaurants, hotels, canteens, caterers), generated from a
// seed so every run of a test or benchmark sees the same records.

export interface SourceCustomer {
  id: string;
  kundennummer: string;
  firma: string;
  typ: string;
  ansprechpartner: { vorname: string; nachname: string; email: string; telefon: string };
  adresse: { strasse: string; hausnummer: string; plz: string; ort: string; land: string };
  kreditlimit: string;
  zahlungsziel_tage: number;
  kunde_seit: string;
  aktiv: boolean;
  tags: { name: string }[];
  updated_at: string;
  deleted?: boolean;
}

const types = ['Restaurant', 'Hotel', 'Kantine', 'Catering', 'Bäckerei', 'Café'] as const;
const prefixes: Record<(typeof types)[number], string[]> = {
  Restaurant: ['Gasthaus', 'Restaurant', 'Wirtshaus', 'Trattoria', 'Brauhaus'],
  Hotel: ['Hotel', 'Landhotel', 'Parkhotel', 'Gästehaus'],
  Kantine: ['Betriebskantine', 'Kantine', 'Mensa'],
  Catering: ['Catering', 'Partyservice', 'Event-Catering'],
  Bäckerei: ['Bäckerei', 'Backstube', 'Konditorei'],
  Café: ['Café', 'Kaffeehaus', 'Bistro'],
};
const names = [
  'Zur Linde',
  'Am Markt',
  'Zum Löwen',
  'Sonnenhof',
  'Bergblick',
  'Alte Mühle',
  'Rheinblick',
  'Seeterrasse',
  'Zum Hirschen',
  'Schöne Aussicht',
  'Weißes Rössl',
  'Goldener Stern',
];
const forms = ['GmbH', 'GmbH & Co. KG', 'e.K.', 'KG', 'OHG', 'UG (haftungsbeschränkt)'];
const firstNames = [
  'Jürgen',
  'Anna',
  'Lukas',
  'Sophie',
  'Maximilian',
  'Marie',
  'Jörg',
  'Hannah',
  'Björn',
  'Lena',
  'Günther',
  'Käthe',
];
const lastNames = [
  'Müller',
  'Schmidt',
  'Schneider',
  'Fischer',
  'Weber',
  'Meyer',
  'Wagner',
  'Becker',
  'Schäfer',
  'Hoffmann',
  'Krüger',
  'Groß',
];
const streets = [
  'Hauptstraße',
  'Bahnhofstraße',
  'Schulstraße',
  'Gartenstraße',
  'Dorfstraße',
  'Lindenallee',
  'Marktplatz',
  'Kirchweg',
  'Mühlenstraße',
  'Königsallee',
];
const cities: [string, string][] = [
  ['80331', 'München'],
  ['10115', 'Berlin'],
  ['20095', 'Hamburg'],
  ['50667', 'Köln'],
  ['60311', 'Frankfurt am Main'],
  ['70173', 'Stuttgart'],
  ['40213', 'Düsseldorf'],
  ['04109', 'Leipzig'],
  ['90402', 'Nürnberg'],
  ['01067', 'Dresden'],
  ['28195', 'Bremen'],
  ['79098', 'Freiburg im Breisgau'],
];
const tagNames = ['Bio', 'Stammkunde', 'Großabnehmer', 'Vegan', 'Regional', 'Frühlieferung'];

/** A small, fast, seeded PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASE_TIME = Date.parse('2026-01-01T00:00:00.000Z');

export function customerId(index: number): string {
  return `C${String(index).padStart(6, '0')}`;
}

export function generateCustomers(count: number, seed = 1): SourceCustomer[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const customers: SourceCustomer[] = new Array(count);
  for (let index = 0; index < count; index++) {
    const type = pick(types);
    const firstName = pick(firstNames);
    const lastName = pick(lastNames);
    const [zip, city] = pick(cities);
    const firm = `${pick(prefixes[type])} ${pick(names)} ${pick(forms)}`;
    const domain = firm
      .toLowerCase()
      .replace(/ä/g, 'ae')
      .replace(/ö/g, 'oe')
      .replace(/ü/g, 'ue')
      .replace(/ß/g, 'ss')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '');
    const limit = Math.round(random() * 500) * 100;
    const since = new Date(
      Date.UTC(2005 + Math.floor(random() * 21), Math.floor(random() * 12), 1 + Math.floor(random() * 28)),
    );
    customers[index] = {
      id: customerId(index),
      kundennummer: `K-${10_000 + index}`,
      firma: firm,
      typ: type,
      ansprechpartner: {
        vorname: firstName,
        nachname: lastName,
        email: `${ascii(firstName[0] ?? 'x')}.${ascii(lastName)}@${domain}.de`.toLowerCase(),
        telefon: `0${150 + Math.floor(random() * 30)} ${1_000_000 + Math.floor(random() * 8_999_999)}`,
      },
      adresse: {
        strasse: pick(streets),
        hausnummer: `${1 + Math.floor(random() * 120)}${random() < 0.15 ? 'a' : ''}`,
        plz: zip,
        ort: city,
        land: random() < 0.9 ? 'Deutschland' : pick(['Österreich', 'Schweiz']),
      },
      kreditlimit: germanAmount(limit),
      zahlungsziel_tage: pick([7, 14, 30, 45, 60]),
      kunde_seit: `${pad(since.getUTCDate())}.${pad(since.getUTCMonth() + 1)}.${since.getUTCFullYear()}`,
      aktiv: random() < 0.95,
      tags: tagNames.filter(() => random() < 0.25).map((name) => ({ name })),
      updated_at: new Date(BASE_TIME + index * 37_000).toISOString(),
    };
  }
  return customers;
}

/** 12500 → "12.500,00" */
export function germanAmount(value: number): string {
  const [whole, cents] = value.toFixed(2).split('.');
  return `${(whole ?? '0').replace(/\B(?=(\d{3})+(?!\d))/g, '.')},${cents}`;
}

const pad = (value: number) => String(value).padStart(2, '0');
const ascii = (value: string) =>
  value
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/ß/g, 'ss')
    .replace(/Ä/g, 'Ae')
    .replace(/Ö/g, 'Oe')
    .replace(/Ü/g, 'Ue');
