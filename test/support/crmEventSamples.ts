// Valid data of each cross-module CRM event, as the CRM's modules would publish it.

export const crmEvents = {
  'lead.protection': {
    leadId: 'lead-481',
    customerId: null,
    company: 'Gasthaus Zur Linde',
    ownerId: 'user-17',
    protectedSince: '2026-09-01T08:00:00Z',
    protectedUntil: '2026-10-31T08:00:00Z',
    daysLeft: 7,
    status: 'expiring',
  },
  'credit.checked': {
    customerId: 'cust-1001',
    result: 'approved',
    limit: 25000,
    currency: 'EUR',
    agency: 'Creditreform',
    checkedAt: '2026-10-24T09:12:00Z',
  },
  'order.synced': {
    orderId: 'order-77',
    externalId: 'AU-2026-0815',
    system: 'xentral',
    direction: 'to_erp',
    status: 'released',
    total: 1843.2,
    currency: 'EUR',
    syncedAt: '2026-10-24T09:15:00Z',
  },
  'sample.status.changed': {
    sampleId: 'sample-9',
    customerId: 'cust-1001',
    from: 'prepared',
    to: 'shipped',
    changedAt: '2026-10-24T10:00:00Z',
    products: [{ sku: 'RIND-FILET-2KG', quantity: 1 }],
  },
} as const;
