// A connection to the mailbox with imapflow, and what its failures mean for the sync engine.
import { ImapFlow } from 'imapflow';
import type { OutboundNetwork } from '../../network/outboundNetwork.ts';
import { ConnectorError, toConnectorError } from '../sdk/connectorError.ts';
import type { EmailConfig, EmailCredentials } from './config.ts';

export async function openImap(
  config: EmailConfig,
  credentials: EmailCredentials,
  network: OutboundNetwork,
): Promise<ImapFlow> {
  // The server's address is resolved and checked by the hub's policy, and imapflow connects to
  // exactly that address (the name stays the TLS server name).
  let target: { address: string };
  try {
    target = await network.resolve(config.imap.host);
  } catch (error) {
    throw toConnectorError(error, 'connecting to the IMAP server');
  }
  const client = new ImapFlow({
    host: target.address,
    ...(target.address === config.imap.host ? {} : { servername: config.imap.host }),
    port: config.imap.port,
    secure: config.imap.secure,
    auth: { user: credentials.username, pass: credentials.password },
    logger: false,
    connectionTimeout: config.timeoutMs,
    greetingTimeout: config.timeoutMs,
    socketTimeout: Math.max(config.timeoutMs * 3, 60_000),
    // Servers on loopback in tests and on-premise mail servers often have no public certificate.
    tls: { rejectUnauthorized: false },
    disableAutoIdle: true,
  });
  // imapflow reports socket trouble as events too; the next command fails with it.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    throw imapError(error, 'connecting to the IMAP server');
  }
  return client;
}

export async function closeImap(client: ImapFlow): Promise<void> {
  try {
    await client.logout();
  } catch {
    client.close();
  }
}

export function imapError(error: unknown, what: string): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const failure = error as {
    authenticationFailed?: boolean;
    serverResponseCode?: string;
    responseText?: string;
    mailboxMissing?: boolean;
    code?: string;
  };
  if (failure.authenticationFailed || failure.serverResponseCode === 'AUTHENTICATIONFAILED') {
    return new ConnectorError('auth', `${what}: the IMAP server refused the username or password`, {
      cause: error,
    });
  }
  if (failure.mailboxMissing || failure.serverResponseCode === 'NONEXISTENT') {
    return new ConnectorError('config', `${what}: the folder does not exist`, { cause: error });
  }
  if (failure.code === 'NoConnection' || failure.code === 'ETIMEOUT') {
    return new ConnectorError('transient', `${what}: the connection was lost`, { cause: error });
  }
  return toConnectorError(error, what);
}
