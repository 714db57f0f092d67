// The OpenID provider's discovery document (`<issuer>/.well-known/openid-configuration`), read with
// oauth4webapi, which refuses a document naming another issuer. Kept per issuer for the life of the
// process: the hub's key set comes from its `jwks_uri`, the dashboard's sign-in from its endpoints.
import * as oauth from 'oauth4webapi';
import { HubError } from '../errors.ts';

export type ProviderMetadata = oauth.AuthorizationServer;

const DISCOVERY_TIMEOUT_MS = 5_000;
/** After a failure, callers get the same error for this long instead of asking the provider again. */
const RETRY_AFTER_FAILURE_MS = 15_000;

interface Entry {
  metadata: Promise<ProviderMetadata>;
  resolved: ProviderMetadata | undefined;
  failedAt: number | undefined;
}
const discovered = new Map<string, Entry>();

export function discoverProvider(issuer: string): Promise<ProviderMetadata> {
  const known = discovered.get(issuer);
  if (known && (known.failedAt === undefined || Date.now() - known.failedAt < RETRY_AFTER_FAILURE_MS)) {
    return known.metadata;
  }
  const entry: Entry = { metadata: fetchMetadata(issuer), resolved: undefined, failedAt: undefined };
  entry.metadata.then(
    (metadata) => {
      entry.resolved = metadata;
    },
    () => {
      entry.failedAt = Date.now();
    },
  );
  discovered.set(issuer, entry);
  return entry.metadata;
}

/** The document if it has been read already, without waiting or asking the provider. */
export function discoveredAlready(issuer: string): ProviderMetadata | undefined {
  return discovered.get(issuer)?.resolved;
}

async function fetchMetadata(issuer: string): Promise<ProviderMetadata> {
  const issuerUrl = new URL(issuer);
  // The configuration allows plain HTTP for loopback issuers only.
  const insecure = issuerUrl.protocol === 'http:';
  try {
    const response = await oauth.discoveryRequest(issuerUrl, {
      algorithm: 'oidc',
      signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS),
      [oauth.allowInsecureRequests]: insecure,
    });
    return await oauth.processDiscoveryResponse(issuerUrl, response);
  } catch (error) {
    throw new HubError(
      'transient',
      'OIDC_PROVIDER_UNREACHABLE',
      `HUB_OIDC_ISSUER: the discovery document of ${issuer} could not be read (${(error as Error).message})`,
      { cause: error },
    );
  }
}
