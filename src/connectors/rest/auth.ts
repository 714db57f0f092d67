// The auth provider of a REST integration, from its auth kind and credentials.

import { type AuthProvider, apiKeyAuth, basicAuth, bearerAuth, noAuth } from '../sdk/auth/authProvider.ts';
import { digestAuth } from '../sdk/auth/digestAuth.ts';
import type { AdapterRuntime } from '../sdk/connectorDefinition.ts';
import type { RestConfig, RestCredentials } from './config.ts';

/** Without a runtime (a test before saving), OAuth2 uses the access token as it is. */
export function restAuth(
  config: RestConfig,
  credentials: RestCredentials,
  runtime?: AdapterRuntime<RestConfig, RestCredentials>,
): AuthProvider {
  const { auth } = config;
  switch (auth.kind) {
    case 'none':
      return noAuth;
    case 'apiKey':
      return apiKeyAuth(
        credentials.apiKey ?? '',
        auth.queryParam ? { queryParam: auth.queryParam } : { header: auth.headerName },
      );
    case 'bearer':
      return bearerAuth(credentials.token ?? '');
    case 'basic':
      return basicAuth(credentials.username ?? '', credentials.password ?? '');
    case 'digest':
      return digestAuth(credentials.username ?? '', credentials.password ?? '');
    case 'oauth2':
      return runtime
        ? runtime.oauth2({
            tokenUrl: auth.tokenUrl ?? '',
            clientId: auth.clientId ?? '',
            clientAuth: auth.clientAuth,
          })
        : bearerAuth(credentials.accessToken ?? '');
  }
}
