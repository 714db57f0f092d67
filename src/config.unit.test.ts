import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('gives the contract defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      role: 'all',
      databaseUrl: undefined,
      oidc: undefined,
    });
    expect(config.dataDir).toMatch(/\/data$/);
  });

  it('names every bad variable in one line', () => {
    const attempt = () => loadConfig({ PORT: '70000', DATABASE_URL: 'mysql://x', HUB_ADMIN_TOKEN: 'short' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/PORT: .*; DATABASE_URL: .*; HUB_ADMIN_TOKEN: /);
  });

  it('checks every integration each minute unless told another cron or off', () => {
    expect(loadConfig({}).healthCheckCron).toBe('* * * * *');
    expect(loadConfig({ HUB_HEALTH_CHECK_CRON: ' */5 * * * * ' }).healthCheckCron).toBe('*/5 * * * *');
    expect(loadConfig({ HUB_HEALTH_CHECK_CRON: 'off' }).healthCheckCron).toBeNull();
    for (const bad of ['every minute', '* * * *', '0 */5 * * * *', '61 * * * *', '']) {
      expect(() => loadConfig({ HUB_HEALTH_CHECK_CRON: bad })).toThrow(
        /HUB_HEALTH_CHECK_CRON: must be a cron/,
      );
    }
  });

  it('keeps history 30 days unless told another whole number of days', () => {
    expect(loadConfig({}).retentionDays).toBe(30);
    expect(loadConfig({ HUB_RETENTION_DAYS: '90' }).retentionDays).toBe(90);
    expect(() => loadConfig({ HUB_RETENTION_DAYS: '0' })).toThrow(
      /HUB_RETENTION_DAYS: must be greater than 0/,
    );
    expect(() => loadConfig({ HUB_RETENTION_DAYS: '7.5' })).toThrow(
      /HUB_RETENTION_DAYS: must be a whole number/,
    );
  });

  it('needs an audience with an OIDC issuer and leaves the JWKS URL to discovery', () => {
    expect(() => loadConfig({ HUB_OIDC_ISSUER: 'https://sso.example/realms/crm' })).toThrow(
      /HUB_OIDC_AUDIENCE/,
    );
    const config = loadConfig({
      HUB_OIDC_ISSUER: 'https://sso.example/realms/crm/',
      HUB_OIDC_AUDIENCE: 'hub',
    });
    expect(config.oidc).toEqual({
      issuer: 'https://sso.example/realms/crm',
      audience: 'hub',
      jwksUrl: undefined,
      roleClaim: 'realm_access.roles',
      browserLogin: undefined,
    });
  });

  it("reads the dashboard's single sign-on client, with its scope and resource", () => {
    const oidc = {
      HUB_OIDC_ISSUER: 'https://sso.example/realms/crm',
      HUB_OIDC_AUDIENCE: 'hub',
      HUB_OIDC_CLIENT_ID: 'hub-dashboard',
    };
    expect(loadConfig(oidc).oidc?.browserLogin).toEqual({
      clientId: 'hub-dashboard',
      scope: 'openid profile',
      resource: undefined,
    });
    const full = loadConfig({
      ...oidc,
      HUB_OIDC_SCOPE: ' openid   profile email ',
      HUB_OIDC_RESOURCE: 'https://hub.example/api/v1',
      HUB_OIDC_JWKS_URL: 'https://sso.example/keys',
    });
    expect(full.oidc?.browserLogin).toEqual({
      clientId: 'hub-dashboard',
      scope: 'openid profile email',
      resource: 'https://hub.example/api/v1',
    });
    expect(full.oidc?.jwksUrl).toBe('https://sso.example/keys');
    // Plain HTTP only where tokens never leave the machine.
    expect(loadConfig({ ...oidc, HUB_OIDC_ISSUER: 'http://127.0.0.1:8081' }).oidc?.issuer).toBe(
      'http://127.0.0.1:8081',
    );
    expect(loadConfig({ ...oidc, HUB_OIDC_ISSUER: 'http://localhost:8081/realms/crm' }).oidc).toBeDefined();
  });

  it('refuses bad single sign-on settings with one line naming the variable', () => {
    const oidc = {
      HUB_OIDC_ISSUER: 'https://sso.example',
      HUB_OIDC_AUDIENCE: 'hub',
      HUB_OIDC_CLIENT_ID: 'web',
    };
    const refusals: [Record<string, string>, RegExp][] = [
      [{ HUB_OIDC_CLIENT_ID: 'web' }, /^invalid configuration: HUB_OIDC_CLIENT_ID: needs HUB_OIDC_ISSUER/],
      [
        { ...oidc, HUB_OIDC_ISSUER: 'http://sso.example' },
        /^invalid configuration: HUB_OIDC_ISSUER: must be an https URL/,
      ],
      [
        { ...oidc, HUB_OIDC_ISSUER: 'sso.example' },
        /^invalid configuration: HUB_OIDC_ISSUER: must be an https URL/,
      ],
      [
        { ...oidc, HUB_OIDC_JWKS_URL: 'http://10.0.0.5/keys' },
        /^invalid configuration: HUB_OIDC_JWKS_URL: must be/,
      ],
      [
        { ...oidc, HUB_OIDC_SCOPE: 'profile email' },
        /^invalid configuration: HUB_OIDC_SCOPE: must contain openid/,
      ],
      [
        { ...oidc, HUB_OIDC_RESOURCE: 'hub api' },
        /^invalid configuration: HUB_OIDC_RESOURCE: must be an absolute URI/,
      ],
      [{ ...oidc, HUB_OIDC_RESOURCE: 'https://hub.example/#api' }, /HUB_OIDC_RESOURCE: .*without a fragment/],
    ];
    for (const [env, message] of refusals) {
      const attempt = () => loadConfig(env);
      expect(attempt, JSON.stringify(env)).toThrow(ConfigError);
      expect(attempt, JSON.stringify(env)).toThrow(message);
      try {
        attempt();
      } catch (error) {
        expect((error as Error).message).not.toContain('\n');
      }
    }
  });

  it('reads the OpenTelemetry service name and OTLP endpoints as the exporter spec does', () => {
    expect(loadConfig({}).tracing).toEqual({ serviceName: 'integration-hub', otlpTracesUrl: undefined });
    const base = loadConfig({
      OTEL_SERVICE_NAME: 'hub-eu',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318/',
    });
    expect(base.tracing).toEqual({ serviceName: 'hub-eu', otlpTracesUrl: 'http://otel:4318/v1/traces' });
    const traces = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/ingest',
    });
    expect(traces.tracing.otlpTracesUrl).toBe('https://traces.example/ingest');
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'otel:4318' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
  });
});
