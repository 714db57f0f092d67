// The hub's canonical entities and their fields: what a mapping's `target` may be, and the list a
// mapping screen matches source fields against. Plain data on purpose.

export interface CanonicalField {
  name: string;
  type: 'string' | 'number' | 'boolean' | 'date' | 'datetime' | 'array' | 'object';
  description: string;
}

const field = (name: string, type: CanonicalField['type'], description: string): CanonicalField => ({
  name,
  type,
  description,
});

const address = [
  field('address.street', 'string', 'street name'),
  field('address.houseNumber', 'string', 'house number, with suffix'),
  field('address.zip', 'string', 'postal code (PLZ)'),
  field('address.city', 'string', 'city (Ort)'),
  field('address.country', 'string', 'ISO 3166 country code'),
];

const shippingAddress = address.map(({ name, type, description }) =>
  field(name.replace(/^address\./, 'shippingAddress.'), type, `shipping address: ${description}`),
);

export const canonicalEntities = {
  customer: [
    field('customerNumber', 'string', 'customer number in the ERP (Kundennummer)'),
    field('name', 'string', 'trading name (Firma)'),
    field('legalName', 'string', 'registered legal name'),
    field('vatId', 'string', 'VAT identification number (USt-IdNr.)'),
    field('email', 'string', 'main email address'),
    field('phone', 'string', 'main phone number, E.164'),
    // The main (billing) address.
    ...address,
    ...shippingAddress,
    field('addresses', 'array', 'every address as the source lists it (type, street, zip, city, country)'),
    field('creditLimit', 'number', 'credit limit in the account currency'),
    field('paymentTerms', 'number', 'payment terms in days (Zahlungsziel)'),
    field('customerSince', 'date', 'customer since'),
    field('tags', 'array', 'labels'),
  ],
  contact: [
    field('firstName', 'string', 'first name (Vorname)'),
    field('lastName', 'string', 'last name (Nachname)'),
    field('email', 'string', 'email address'),
    field('phone', 'string', 'phone number, E.164'),
    field('mobile', 'string', 'mobile number, E.164'),
    field('position', 'string', 'job title'),
    field('customerNumber', 'string', 'the customer the contact belongs to'),
  ],
  address: [
    field('customerNumber', 'string', 'the customer the address belongs to'),
    field('kind', 'string', 'billing, delivery, …'),
    ...address,
  ],
  invoice: [
    field('invoiceNumber', 'string', 'invoice number (Rechnungsnummer)'),
    field('customerNumber', 'string', 'customer number'),
    field('date', 'date', 'invoice date'),
    field('dueDate', 'date', 'due date'),
    field('netAmount', 'number', 'net amount'),
    field('grossAmount', 'number', 'gross amount'),
    field('currency', 'string', 'ISO 4217 currency'),
    field('status', 'string', 'open, paid, cancelled, …'),
  ],
  order: [
    field('orderNumber', 'string', 'order number (Auftragsnummer)'),
    field('customerNumber', 'string', 'customer number'),
    field('date', 'date', 'order date'),
    field('status', 'string', 'order status'),
    field('totalNet', 'number', 'net total'),
    field('totalGross', 'number', 'gross total'),
    field('currency', 'string', 'ISO 4217 currency'),
    field('lines', 'array', 'order lines'),
  ],
  product: [
    field('sku', 'string', 'article number (Artikelnummer)'),
    field('name', 'string', 'product name'),
    field('unit', 'string', 'sales unit (kg, Stück, Kiste)'),
    field('price', 'number', 'net price per unit'),
    field('currency', 'string', 'ISO 4217 currency'),
    field('category', 'string', 'product group'),
    field('ean', 'string', 'EAN / GTIN'),
  ],
  calendarEvent: [
    field('title', 'string', 'subject'),
    field('start', 'datetime', 'start'),
    field('end', 'datetime', 'end'),
    field('location', 'string', 'place'),
    field('attendees', 'array', 'attendees'),
    field('description', 'string', 'notes'),
  ],
  email: [
    field('messageId', 'string', 'Message-ID'),
    field('from', 'string', 'sender'),
    field('to', 'array', 'recipients'),
    field('cc', 'array', 'copies'),
    field('subject', 'string', 'subject'),
    field('date', 'datetime', 'sent at'),
    field('body', 'string', 'text body'),
    field('attachments', 'array', 'attachment metadata'),
    field('contacts', 'array', 'CRM customers and contacts matched by address'),
    field('folder', 'string', 'mailbox folder'),
    field('seen', 'boolean', 'read'),
  ],
  call: [
    field('callId', 'string', 'the phone system call id'),
    field('direction', 'string', 'in or out'),
    field('from', 'string', 'caller, E.164'),
    field('to', 'string', 'callee, E.164'),
    field('startedAt', 'datetime', 'ringing since'),
    field('answeredAt', 'datetime', 'answered at'),
    field('endedAt', 'datetime', 'hung up at'),
    field('durationSeconds', 'number', 'talk time'),
    field('status', 'string', 'ringing, answered, completed, missed, busy, voicemail, blocked, failed'),
    field('provider', 'string', 'the phone system'),
    field('answeredBy', 'string', 'extension or user that took the call'),
    field('contacts', 'array', 'CRM customers and contacts matched by the other party’s number'),
  ],
} satisfies Record<string, CanonicalField[]>;

export type CanonicalEntityName = keyof typeof canonicalEntities;
export const canonicalEntityNames = Object.keys(canonicalEntities) as [
  CanonicalEntityName,
  ...CanonicalEntityName[],
];
