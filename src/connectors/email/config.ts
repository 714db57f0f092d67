// Settings of the email connector: an IMAP mailbox to read, and optionally SMTP to send through.
import { z } from 'zod';

const host = z.string().min(1).max(255);

export const emailConfigSchema = z.strictObject({
  imap: z.strictObject({
    host,
    port: z.number().int().min(1).max(65_535).default(993),
    /** TLS from the first byte (993); false means plain, upgraded with STARTTLS when offered. */
    secure: z.boolean().default(true),
  }),
  smtp: z
    .strictObject({
      host,
      port: z.number().int().min(1).max(65_535).default(587),
      secure: z.boolean().default(false),
      /** Refuse to send when the server does not offer STARTTLS. */
      requireTls: z.boolean().default(false),
    })
    .optional(),
  /** The sender address of messages sent through the hub. */
  fromAddress: z.email().optional(),
  folders: z.array(z.string().min(1).max(500)).min(1).max(50).default(['INBOX']),
  /** Where a copy of every sent message is appended; none when unset. */
  sentFolder: z.string().min(1).max(500).optional(),
  /** Messages fetched a batch. */
  batchSize: z.number().int().min(1).max(1_000).default(100),
  /** Longer text bodies are cut; the record says so. */
  maxBodyChars: z.number().int().min(1_000).max(5_000_000).default(200_000),
  /** Larger messages are read up to this size: their text and attachment list may be incomplete. */
  maxMessageBytes: z
    .number()
    .int()
    .min(10_000)
    .max(100 * 1024 * 1024)
    .default(25 * 1024 * 1024),
  timeoutMs: z.number().int().min(500).max(120_000).default(20_000),
});

export const emailCredentialsSchema = z.strictObject({
  username: z.string().min(1),
  password: z.string().min(1),
  /** When the SMTP server wants other credentials than the mailbox. */
  smtpUsername: z.string().min(1).optional(),
  smtpPassword: z.string().min(1).optional(),
});

export type EmailConfig = z.output<typeof emailConfigSchema>;
export type EmailCredentials = z.infer<typeof emailCredentialsSchema>;
