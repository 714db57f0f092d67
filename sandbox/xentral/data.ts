// Xentral-shaped records (new API): customers with one to three addresses (billing, shipping),
// products, sales orders and invoices, derived from the seeded German customers so every run sees
// the same data.
import { generateCustomers, seededRandom } from '../recordSource/customers.ts';

export interface XentralRecord {
  id: string;
  updatedAt: string;
  [field: string]: unknown;
}

export interface XentralData {
  customers: XentralRecord[];
  addresses: Map<string, XentralRecord[]>;
  products: XentralRecord[];
  salesOrders: XentralRecord[];
  invoices: XentralRecord[];
}

const countries: Record<string, string> = { Deutschland: 'DE', Österreich: 'AT', Schweiz: 'CH' };
// The seeded customers have German postcodes whatever their country; these fit AT and CH.
const foreignCities: Record<string, [string, string][]> = {
  AT: [
    ['1010', 'Wien'],
    ['5020', 'Salzburg'],
    ['6020', 'Innsbruck'],
  ],
  CH: [
    ['8001', 'Zürich'],
    ['3011', 'Bern'],
    ['4051', 'Basel'],
  ],
};
const deliveryStreets = [
  'Industriestraße',
  'Am Güterbahnhof',
  'Gewerbering',
  'Lagerstraße',
  'Großmarktstraße',
  'Hafenstraße',
  'Südring',
  'Mühlweg',
];
const branchCities: [string, string][] = [
  ['81667', 'München'],
  ['10437', 'Berlin'],
  ['22767', 'Hamburg'],
  ['50823', 'Köln'],
  ['97070', 'Würzburg'],
  ['33602', 'Bielefeld'],
  ['48143', 'Münster'],
  ['89073', 'Ulm'],
];
const productNames = [
  'Bio-Tomaten',
  'Rinderhack',
  'Frische Vollmilch',
  'Bergkäse',
  'Kartoffeln festkochend',
  'Lachsfilet',
  'Äpfel Elstar',
  'Weißkohl',
  'Hähnchenbrust',
  'Sauerteigbrot',
];
const units = ['kg', 'Stück', 'Kiste', 'Liter'];

export function generateXentralData(customerCount: number, seed = 1): XentralData {
  const random = seededRandom(seed + 1000);
  const addressRandom = seededRandom(seed + 2000);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(addressRandom() * items.length)] as T;
  const base = generateCustomers(customerCount, seed);
  const addresses = new Map<string, XentralRecord[]>();
  let addressId = 5000;
  const customers = base.map((customer, index) => {
    const id = String(1000 + index);
    const country = countries[customer.adresse.land] ?? 'DE';
    const [zip, city] = foreignCities[country]
      ? pick(foreignCities[country])
      : [customer.adresse.plz, customer.adresse.ort];
    const address = (type: string, street: string, at: [string, string]) => ({
      id: String(addressId++),
      type,
      street,
      zip: at[0],
      city: at[1],
      country,
      updatedAt: customer.updated_at,
    });
    const own: XentralRecord[] = [
      address('billing', `${customer.adresse.strasse} ${customer.adresse.hausnummer}`, [zip, city]),
    ];
    // Goods often go to a kitchen or warehouse entrance elsewhere in town, some to a second site.
    if (addressRandom() < 0.6)
      own.push(
        address('shipping', `${pick(deliveryStreets)} ${1 + Math.floor(addressRandom() * 80)}`, [zip, city]),
      );
    if (country === 'DE' && addressRandom() < 0.25)
      own.push(
        address(
          'shipping',
          `${pick(deliveryStreets)} ${1 + Math.floor(addressRandom() * 80)}`,
          pick(branchCities),
        ),
      );
    addresses.set(id, own);
    return {
      id,
      customerType: 'company',
      number: customer.kundennummer.replace('K-', ''),
      name: customer.firma,
      firstname: customer.ansprechpartner.vorname,
      lastname: customer.ansprechpartner.nachname,
      email: customer.ansprechpartner.email,
      phone: customer.ansprechpartner.telefon,
      vatId: `DE${String(100_000_000 + Math.floor(random() * 899_999_999))}`,
      updatedAt: customer.updated_at,
    };
  });
  const products = productNames.map((name, index) => ({
    id: String(200 + index),
    number: `ART-${1000 + index}`,
    name,
    unit: units[index % units.length],
    salesPrice: { amount: (1 + Math.floor(random() * 2000) / 100).toFixed(2), currency: 'EUR' },
    updatedAt: new Date(Date.parse('2026-01-01T00:00:00Z') + index * 60_000).toISOString(),
  }));
  const salesOrders = customers.slice(0, Math.min(customers.length, 50)).map((customer, index) => ({
    id: String(30_000 + index),
    documentNumber: `AU-${2026_0000 + index}`,
    customer: { id: customer.id },
    date: '2026-11-02',
    status: index % 3 === 0 ? 'completed' : 'released',
    positions: [{ product: { id: products[index % products.length]?.id }, quantity: 1 + (index % 5) }],
    updatedAt: customer.updatedAt,
  }));
  const invoices = salesOrders.slice(0, 20).map((order, index) => ({
    id: String(40_000 + index),
    documentNumber: `RE-${2026_0000 + index}`,
    customer: order.customer,
    date: '2026-11-03',
    status: index % 2 === 0 ? 'paid' : 'open',
    amount: { net: '120.00', gross: '128.40', currency: 'EUR' },
    updatedAt: order.updatedAt,
  }));
  return { customers, addresses, products, salesOrders, invoices };
}
