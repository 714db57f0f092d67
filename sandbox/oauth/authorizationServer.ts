// The OAuth2 authorization server of a sandbox (RFC 6749 with PKCE, RFC 7636): an authorize
// endpoint where the imitated user consents at once (or, when told to, declines), and a token
// endpoint for the authorization_code and refresh_token grants. Codes are single-use and live
// 60 s; the PKCE verifier and the redirect URI are checked as a real server checks them. With
// rotation on, every refresh returns a new refresh token and retires the one presented.
import { createHash, randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';

export interface AuthorizationServerOptions {
  client: { clientId: string; clientSecret: string };
  /** Every refresh returns a new refresh token and retires the old one (Microsoft); Google keeps it. */
  rotateRefreshTokens: boolean;
  scope: string;
  accessTokenTtlSeconds?: number;
  /** How the vendor names a retired refresh token in its error_description. */
  invalidGrantDescription?: string;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  expiresAt: number;
}

export class SandboxAuthorizationServer {
  readonly stats = { authorizations: 0, codeExchanges: 0, refreshes: 0, refused: 0 };
  readonly #options: AuthorizationServerOptions;
  readonly #codes = new Map<string, PendingCode>();
  readonly #refreshTokens = new Set<string>();
  readonly #accessTokens = new Map<string, number>();
  #declineNext = false;

  constructor(options: AuthorizationServerOptions) {
    this.#options = options;
  }

  /** GET authorize: the user consents, and the browser goes back to the client with a code. */
  authorize(url: URL, response: ServerResponse): void {
    const query = url.searchParams;
    const redirectUri = query.get('redirect_uri') ?? '';
    if (query.get('client_id') !== this.#options.client.clientId || !/^https?:\/\//.test(redirectUri)) {
      response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('invalid client_id or redirect_uri');
      return;
    }
    const back = new URL(redirectUri);
    const state = query.get('state');
    if (state) back.searchParams.set('state', state);
    if (this.#declineNext) {
      this.#declineNext = false;
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The user declined the consent.');
    } else if (query.get('response_type') !== 'code' || query.get('code_challenge_method') !== 'S256') {
      back.searchParams.set('error', 'invalid_request');
      back.searchParams.set(
        'error_description',
        'response_type=code with an S256 code_challenge is required',
      );
    } else {
      const code = randomBytes(24).toString('base64url');
      this.#codes.set(code, {
        clientId: this.#options.client.clientId,
        redirectUri,
        challenge: query.get('code_challenge') ?? '',
        expiresAt: Date.now() + 60_000,
      });
      this.stats.authorizations += 1;
      back.searchParams.set('code', code);
    }
    response.writeHead(302, { location: back.toString() });
    response.end();
  }

  /** POST token, form-encoded; client credentials in the body or as HTTP Basic. */
  token(form: URLSearchParams, authorization: string | undefined, response: ServerResponse) {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify(body));
    };
    const basic = /^Basic (.+)$/.exec(authorization ?? '')?.[1];
    const [basicId, basicSecret] = basic
      ? Buffer.from(basic, 'base64').toString().split(':').map(decodeURIComponent)
      : [];
    const clientId = form.get('client_id') ?? basicId;
    const clientSecret = form.get('client_secret') ?? basicSecret;
    if (clientId !== this.#options.client.clientId || clientSecret !== this.#options.client.clientSecret) {
      this.stats.refused += 1;
      return send(401, { error: 'invalid_client' });
    }
    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') {
      const code = form.get('code') ?? '';
      const pending = this.#codes.get(code);
      this.#codes.delete(code);
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (
        !pending ||
        pending.expiresAt < Date.now() ||
        pending.redirectUri !== form.get('redirect_uri') ||
        pending.challenge !== challenge
      ) {
        this.stats.refused += 1;
        return send(400, {
          error: 'invalid_grant',
          error_description: 'invalid code, redirect_uri or code_verifier',
        });
      }
      this.stats.codeExchanges += 1;
      return send(200, this.#issue(true));
    }
    if (grantType === 'refresh_token') {
      const presented = form.get('refresh_token') ?? '';
      const known = this.#options.rotateRefreshTokens
        ? this.#refreshTokens.delete(presented)
        : this.#refreshTokens.has(presented);
      if (!known) {
        this.stats.refused += 1;
        return send(400, {
          error: 'invalid_grant',
          error_description: this.#options.invalidGrantDescription ?? 'Token has been expired or revoked.',
        });
      }
      this.stats.refreshes += 1;
      return send(200, this.#issue(this.#options.rotateRefreshTokens));
    }
    return send(400, { error: 'unsupported_grant_type' });
  }

  /** A refresh token handed out without the browser flow, for tests that start connected. */
  grant(): string {
    const token = `rt-${randomBytes(24).toString('base64url')}`;
    this.#refreshTokens.add(token);
    return token;
  }

  accessTokenValid(authorization: string | undefined): boolean {
    const token = authorization?.replace(/^Bearer /, '') ?? '';
    return (this.#accessTokens.get(token) ?? 0) > Date.now();
  }

  expireAccessTokens(): void {
    this.#accessTokens.clear();
  }

  /** The user revoked the app's access: every refresh and access token stops working. */
  revokeAll(): void {
    this.#refreshTokens.clear();
    this.#accessTokens.clear();
  }

  declineNextConsent(): void {
    this.#declineNext = true;
  }

  #issue(withRefreshToken: boolean) {
    const ttl = this.#options.accessTokenTtlSeconds ?? 3599;
    const access = `at-${randomBytes(24).toString('base64url')}`;
    this.#accessTokens.set(access, Date.now() + ttl * 1000);
    return {
      token_type: 'Bearer',
      expires_in: ttl,
      access_token: access,
      scope: this.#options.scope,
      ...(withRefreshToken ? { refresh_token: this.grant() } : {}),
    };
  }
}
