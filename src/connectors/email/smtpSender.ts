// Sending through the integration's SMTP server with nodemailer, and keeping a copy in the
// mailbox's sent folder so the next sync shows the message like any other.
import type { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { OutboundNetwork } from '../../network/outboundNetwork.ts';
import type { OutboundMessage, SentMessage } from '../sdk/adapter.ts';
import { ConnectorError, toConnectorError } from '../sdk/connectorError.ts';
import type { EmailConfig, EmailCredentials } from './config.ts';

export async function sendMessage(
  config: EmailConfig,
  credentials: EmailCredentials,
  message: OutboundMessage,
  openMailbox: () => Promise<{ client: ImapFlow; close(): Promise<void> }>,
  network: OutboundNetwork,
): Promise<SentMessage> {
  const smtp = config.smtp;
  if (!smtp) throw new ConnectorError('config', 'this integration has no SMTP server to send through');
  if (!config.fromAddress)
    throw new ConnectorError('config', 'this integration has no fromAddress to send as');
  const mail = {
    from: config.fromAddress,
    to: message.to,
    ...(message.cc?.length ? { cc: message.cc } : {}),
    ...(message.bcc?.length ? { bcc: message.bcc } : {}),
    subject: message.subject,
    ...(message.text !== undefined ? { text: message.text } : {}),
    ...(message.html !== undefined ? { html: message.html } : {}),
    ...(message.inReplyTo ? { inReplyTo: message.inReplyTo } : {}),
    ...(message.references?.length ? { references: message.references } : {}),
    attachments: (message.attachments ?? []).map((attachment) => ({
      filename: attachment.filename,
      contentType: attachment.contentType,
      content: attachment.content,
    })),
  };
  // The raw message is built once, so the copy in the sent folder is byte for byte what was sent.
  const node = new MailComposer(mail).compile();
  const raw = await node.build();
  const messageId = node.messageId();
  // Resolved and checked by the hub's policy; nodemailer connects to exactly that address.
  let target: { address: string };
  try {
    target = await network.resolve(smtp.host);
  } catch (error) {
    throw toConnectorError(error, 'connecting to the SMTP server');
  }
  const transport = nodemailer.createTransport({
    host: target.address,
    ...(target.address === smtp.host ? {} : { servername: smtp.host }),
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.requireTls,
    auth: {
      user: credentials.smtpUsername ?? credentials.username,
      pass: credentials.smtpPassword ?? credentials.password,
    },
    connectionTimeout: config.timeoutMs,
    greetingTimeout: config.timeoutMs,
    socketTimeout: config.timeoutMs * 3,
    tls: { rejectUnauthorized: false },
  });
  let info: { accepted: (string | { address: string })[]; rejected: (string | { address: string })[] };
  try {
    info = await transport.sendMail({
      envelope: {
        from: config.fromAddress,
        to: [...message.to, ...(message.cc ?? []), ...(message.bcc ?? [])],
      },
      raw,
    });
  } catch (error) {
    throw smtpError(error);
  } finally {
    transport.close();
  }
  let storedIn: string | undefined;
  if (config.sentFolder) {
    const mailbox = await openMailbox();
    try {
      await mailbox.client.append(config.sentFolder, raw, ['\\Seen']);
      storedIn = config.sentFolder;
    } finally {
      await mailbox.close();
    }
  }
  const address = (entry: string | { address: string }) =>
    typeof entry === 'string' ? entry : entry.address;
  return {
    messageId,
    accepted: info.accepted.map(address),
    rejected: info.rejected.map(address),
    ...(storedIn ? { storedIn } : {}),
  };
}

function smtpError(error: unknown): ConnectorError {
  const failure = error as { code?: string; responseCode?: number; response?: string };
  if (failure.code === 'EAUTH' || failure.responseCode === 535) {
    return new ConnectorError('auth', 'the SMTP server refused the username or password', { cause: error });
  }
  if (failure.code === 'EENVELOPE') {
    return new ConnectorError(
      'permanent',
      `the SMTP server refused the recipients (${failure.response ?? ''})`,
      {
        cause: error,
      },
    );
  }
  if (failure.responseCode !== undefined && failure.responseCode >= 500) {
    return new ConnectorError('permanent', `the SMTP server refused the message (${failure.responseCode})`, {
      cause: error,
    });
  }
  if (failure.responseCode !== undefined && failure.responseCode >= 400) {
    return new ConnectorError('transient', `the SMTP server deferred the message (${failure.responseCode})`, {
      cause: error,
    });
  }
  return toConnectorError(error, 'sending through SMTP');
}
