// One fetched IMAP message as a source record: headers, text body and attachment metadata, parsed
// from the raw MIME source by mailparser. Attachment contents stay in the mailbox.
import { type AddressObject, simpleParser } from 'mailparser';
import type { ContactMatch } from '../sdk/connectorDefinition.ts';

export interface EmailAddress {
  address: string;
  name: string | null;
}

export interface EmailRecord {
  folder: string;
  uid: number;
  messageId: string | null;
  subject: string | null;
  from: EmailAddress | null;
  to: EmailAddress[];
  cc: EmailAddress[];
  replyTo: EmailAddress[];
  date: string | null;
  inReplyTo: string | null;
  references: string[];
  flags: string[];
  seen: boolean;
  size: number | null;
  text: string | null;
  textTruncated: boolean;
  hasHtml: boolean;
  attachments: { filename: string | null; contentType: string; size: number; checksum: string | null }[];
  /** CRM customers and contacts whose address appears in the message. */
  matchedContacts: ContactMatch[];
}

export interface FetchedMessage {
  uid: number;
  flags?: Set<string> | undefined;
  size?: number | undefined;
  source?: Buffer | undefined;
}

export async function parseMessage(
  folder: string,
  message: FetchedMessage,
  maxBodyChars: number,
): Promise<EmailRecord> {
  const parsed = await simpleParser(message.source ?? Buffer.alloc(0), {
    skipImageLinks: true,
    skipTextToHtml: true,
  });
  const text = parsed.text ?? null;
  const flags = [...(message.flags ?? [])].sort();
  const references = parsed.references;
  return {
    folder,
    uid: message.uid,
    messageId: parsed.messageId ?? null,
    subject: parsed.subject ?? null,
    from: addresses(parsed.from)[0] ?? null,
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    replyTo: addresses(parsed.replyTo),
    date: parsed.date ? parsed.date.toISOString() : null,
    inReplyTo: parsed.inReplyTo ?? null,
    references: references === undefined ? [] : Array.isArray(references) ? references : [references],
    flags,
    seen: flags.includes('\\Seen'),
    size: message.size ?? null,
    text: text === null ? null : text.slice(0, maxBodyChars),
    textTruncated: text !== null && text.length > maxBodyChars,
    hasHtml: typeof parsed.html === 'string',
    attachments: parsed.attachments.map((attachment) => ({
      filename: attachment.filename ?? null,
      contentType: attachment.contentType,
      size: attachment.size,
      checksum: attachment.checksum ?? null,
    })),
    matchedContacts: [],
  };
}

function addresses(field: AddressObject | AddressObject[] | undefined): EmailAddress[] {
  if (!field) return [];
  const groups = Array.isArray(field) ? field : [field];
  const result: EmailAddress[] = [];
  for (const group of groups) {
    for (const entry of group.value) {
      // A group ("Team: a@x, b@y;") lists its members inside.
      for (const member of entry.group ?? [entry]) {
        if (member.address) result.push({ address: member.address.toLowerCase(), name: member.name || null });
      }
    }
  }
  return result;
}

/** Attaches the CRM matches of each record's addresses, asking the store once for the whole batch. */
export async function matchContacts(
  records: EmailRecord[],
  findContacts: (addresses: string[]) => Promise<ContactMatch[]>,
): Promise<void> {
  const addressesOf = (record: EmailRecord) =>
    [record.from, ...record.to, ...record.cc, ...record.replyTo].flatMap((entry) =>
      entry ? [entry.address] : [],
    );
  const matches = await findContacts(records.flatMap(addressesOf));
  if (matches.length === 0) return;
  for (const record of records) {
    const mine = new Set(addressesOf(record));
    record.matchedContacts = matches.filter((match) => mine.has(match.email));
  }
}
