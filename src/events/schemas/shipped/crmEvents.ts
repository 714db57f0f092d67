// Schemas of the cross-module CRM events that the CRM's modules publish through the hub
// (POST /api/v1/events). Version 1 of each; the modules evolve them through the registry.
import type { JsonSchema } from '../readability.ts';
import {
  dateTime,
  eventData,
  integer,
  list,
  number,
  object,
  oneOf,
  orNull,
  text,
  uuid,
} from './jsonSchemaBuilders.ts';

const currency = text('ISO 4217 currency', { pattern: '^[A-Z]{3}$', default: 'EUR' });

export const sampleStatuses = [
  'requested',
  'approved',
  'rejected',
  'prepared',
  'shipped',
  'delivered',
  'feedback_received',
  'converted',
  'cancelled',
] as const;

export const crmEventSchemas: Record<string, JsonSchema> = {
  'lead.protection': eventData(
    'Lead protection',
    'A salesperson’s 60-day protection of a lead runs out: reminders while it runs, and when it ends.',
    object(
      {
        leadId: text('the lead'),
        customerId: orNull(text('the customer the lead belongs to, once known')),
        company: text('the company of the lead'),
        contactName: text('the person at the company'),
        ownerId: text('the salesperson holding the protection'),
        ownerName: text('their name'),
        protectedSince: dateTime('start of the protection'),
        protectedUntil: dateTime('end of the protection'),
        protectionDays: integer('length of the protection in days', { minimum: 1, default: 60 }),
        daysLeft: integer('days until the protection ends (0: it ended)', { minimum: 0 }),
        status: oneOf('where the protection stands', ['active', 'expiring', 'expired', 'extended']),
      },
      ['leadId', 'company', 'ownerId', 'protectedUntil', 'daysLeft'],
    ),
  ),
  'credit.checked': eventData(
    'Credit checked',
    'A background credit check of a customer finished.',
    object(
      {
        customerId: text('the customer'),
        customerNumber: text('customer number in the ERP (Kundennummer)'),
        result: oneOf('the decision', ['approved', 'declined', 'review']),
        limit: orNull(number('the credit limit granted, null when none', { minimum: 0 })),
        requestedLimit: number('the credit limit asked for', { minimum: 0 }),
        currency,
        score: orNull(number('the agency’s score')),
        agency: text('the credit agency that answered, e.g. Creditreform'),
        reference: text('the agency’s report reference'),
        reason: text('why, for declined or review'),
        checkedAt: dateTime('when the check finished'),
        validUntil: dateTime('when the result should be checked again'),
      },
      ['customerId', 'result', 'limit', 'checkedAt'],
    ),
  ),
  'order.synced': eventData(
    'Order synced',
    'An order was written to, or read back from, the ERP.',
    object(
      {
        orderId: text('the order in the CRM'),
        externalId: orNull(text('the order’s id in the ERP')),
        orderNumber: text('order number (Auftragsnummer)'),
        system: text('the ERP, e.g. xentral'),
        integrationId: uuid('the hub integration that synced it'),
        direction: oneOf('which way', ['to_erp', 'from_erp']),
        status: text('the order status in the ERP'),
        customerId: text('the customer'),
        total: number('gross total'),
        currency,
        syncedAt: dateTime('when it was synced'),
      },
      ['orderId', 'externalId', 'system', 'status', 'syncedAt'],
    ),
  ),
  'sample.status.changed': eventData(
    'Sample status changed',
    'A product sample moved to another step of the sample workflow.',
    object(
      {
        sampleId: text('the sample'),
        customerId: text('the customer receiving it'),
        contactId: text('the contact (e.g. the head chef) it is for'),
        leadId: orNull(text('the lead, when the sample belongs to one')),
        campaign: text('the sample campaign, e.g. a seasonal one'),
        products: list(
          'the products sampled',
          object({ sku: text('article number'), quantity: number('quantity', { minimum: 0 }) }, ['sku']),
        ),
        from: orNull(oneOf('the previous status (null for a new sample)', sampleStatuses)),
        to: oneOf('the new status', sampleStatuses),
        changedAt: dateTime('when it changed'),
        changedBy: text('who changed it'),
        reason: text('why, e.g. for rejected or cancelled'),
      },
      ['sampleId', 'customerId', 'from', 'to', 'changedAt'],
    ),
  ),
};
