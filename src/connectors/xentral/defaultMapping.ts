// What Xentral's fields become when an integration brings no mapping of its own.
import type { EntityMappingInput } from '../../mapping/index.ts';

// Addresses are read through index and [*] paths, which two-way sync never writes back (a hub
// change to them is refused with 422): Xentral's customer PATCH takes no addresses. The type values
// billing and shipping are the sandbox's; Xentral's own are unconfirmed, and a mapping may name
// others (addressesByType.delivery).
const addressOf = (type: string, target: string): EntityMappingInput['fields'] => ({
  [`${target}.street`]: { from: `addressesByType.${type}[0].street`, transforms: [{ op: 'trim' }] },
  [`${target}.zip`]: { from: `addressesByType.${type}[0].zip`, transforms: [{ op: 'trim' }] },
  [`${target}.city`]: { from: `addressesByType.${type}[0].city`, transforms: [{ op: 'trim' }] },
  [`${target}.country`]: { from: `addressesByType.${type}[0].country`, transforms: [{ op: 'uppercase' }] },
});

export const xentralDefaultMapping: Record<string, EntityMappingInput> = {
  customer: {
    target: 'customer',
    fields: {
      customerNumber: { from: 'number', required: true },
      name: { from: 'name', transforms: [{ op: 'trim' }], required: true },
      email: { from: 'email', transforms: [{ op: 'email' }] },
      phone: { from: 'phone', transforms: [{ op: 'phone', defaultCountry: 'DE' }] },
      vatId: { from: 'vatId' },
      ...addressOf('billing', 'address'),
      ...addressOf('shipping', 'shippingAddress'),
      addresses: { from: 'addresses[*]' },
    },
  },
  product: {
    target: 'product',
    fields: {
      sku: { from: 'number', required: true },
      name: { from: 'name', required: true },
      unit: { from: 'unit' },
      price: { from: 'salesPrice.amount', transforms: [{ op: 'number', locale: 'en' }] },
      currency: { from: 'salesPrice.currency' },
    },
  },
  salesOrder: {
    target: 'order',
    fields: {
      orderNumber: { from: 'documentNumber', required: true },
      customerNumber: { from: 'customer.id' },
      date: { from: 'date', transforms: [{ op: 'date', format: 'YYYY-MM-DD' }] },
      status: { from: 'status' },
      lines: { from: 'positions' },
    },
  },
  invoice: {
    target: 'invoice',
    fields: {
      invoiceNumber: { from: 'documentNumber', required: true },
      customerNumber: { from: 'customer.id' },
      date: { from: 'date', transforms: [{ op: 'date', format: 'YYYY-MM-DD' }] },
      netAmount: { from: 'amount.net', transforms: [{ op: 'number', locale: 'en' }] },
      grossAmount: { from: 'amount.gross', transforms: [{ op: 'number', locale: 'en' }] },
      currency: { from: 'amount.currency' },
      status: { from: 'status' },
    },
  },
};
