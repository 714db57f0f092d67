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

  it('needs an audience with an OIDC issuer and defaults the JWKS URL to Keycloak', () => {
    expect(() => loadConfig({ HUB_OIDC_ISSUER: 'https://sso.example/realms/crm' })).toThrow(
      /HUB_OIDC_AUDIENCE/,
    );
    const config = loadConfig({
      HUB_OIDC_ISSUER: 'https://sso.example/realms/crm/',
      HUB_OIDC_AUDIENCE: 'hub',
    });
    expect(config.oidc?.jwksUrl).toBe('https://sso.example/realms/crm/protocol/openid-connect/certs');
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
