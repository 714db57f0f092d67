// What phone-system connectors share: a call event turned into the call record the hub lands,
// merged with the record stored so far and matched to CRM customers and contacts by number.
import type { AdapterRuntime } from '../sdk/connectorDefinition.ts';
import type { WebhookEffect } from '../sdk/webhooks.ts';
import { applyCallEvent, type CallEvent, type CallRecord, otherParty } from './callRecord.ts';

export async function callEffect(
  runtime: Pick<AdapterRuntime<unknown, unknown>, 'storedRecord' | 'findContactsByPhone'>,
  provider: string,
  event: CallEvent,
): Promise<WebhookEffect> {
  const stored = (await runtime.storedRecord('call', event.callId)) as CallRecord | null;
  const call = applyCallEvent(provider, stored, event);
  const number = otherParty(call);
  if (call.contacts.length === 0 && number && number !== 'anonymous') {
    const matches = await runtime.findContactsByPhone([number]);
    call.contacts = matches.map(({ phone: _phone, ...match }) => match);
  }
  return { records: [{ entity: 'call', records: [{ externalId: call.callId, data: call }] }] };
}
