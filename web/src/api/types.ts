// The shapes of the hub's answers the dashboard reads.
export type Role = 'viewer' | 'operator' | 'admin';

export interface Principal {
  kind: 'token' | 'oidc' | 'system';
  id: string;
  name: string;
  role: Role;
}

export type IntegrationStatus = 'active' | 'inactive' | 'error';

export interface RunSummary {
  id: string;
  state: 'queued' | 'running' | 'waiting' | 'succeeded' | 'partial' | 'failed';
  trigger: string;
  queuedAt: string;
  finishedAt: string | null;
  created: number;
  updated: number;
  deleted: number;
  failed: number;
  error: string | null;
}

export interface IntegrationSummary {
  id: string;
  name: string;
  connector: string;
  connectorName: string;
  type: string;
  status: IntegrationStatus;
  statusReason: string | null;
  errorKind: 'auth' | 'rate_limited' | 'transient' | 'permanent' | 'config' | null;
  needsAttention: boolean;
  statusChangedAt: string;
  lastHealthCheck: { ok: boolean; message: string; latencyMs: number; checkedAt: string } | null;
  scheduleEnabled: boolean;
  lastSyncAt: string | null;
  nextSyncAt: string | null;
  records: number;
  recordsByEntity: Record<string, number>;
  lastRun: RunSummary | null;
  reconnect: 'oauth' | 'credentials';
}

export interface Overview {
  counts: { active: number; paused: number; error: number; openConflicts: number; issues: number };
  integrations: IntegrationSummary[];
}

export interface JsonSchemaObject {
  type?: string;
  properties?: Record<
    string,
    {
      type?: string;
      description?: string;
      title?: string;
      default?: unknown;
      enum?: unknown[];
      format?: string;
    }
  >;
  required?: string[];
}

export interface Connector {
  id: string;
  name: string;
  type: string;
  authKind: string;
  description: string;
  entities: string[];
  credentialsSchema: JsonSchemaObject;
  configSchema: JsonSchemaObject;
  templates: ConnectorTemplate[];
  defaultMapping: Record<string, EntityMapping> | null;
  webhooks: boolean;
}

export interface ConnectorTemplate {
  id: string;
  name: string;
  description: string;
  entities: string[];
  config: Record<string, unknown>;
  credentialFields: string[];
  mapping: Record<string, EntityMapping>;
}

export interface Transform {
  op: string;
  [option: string]: unknown;
}

export interface FieldMapping {
  from?: string | string[];
  const?: unknown;
  transforms?: Transform[];
  required?: boolean;
  default?: unknown;
}

export interface EntityMapping {
  target: string;
  fields: Record<string, FieldMapping>;
  keepUnmapped?: boolean;
}

export interface CanonicalEntity {
  name: string;
  fields: { name: string; type: string; description: string }[];
}

export interface SyncRun {
  id: string;
  state: RunSummary['state'];
  counts: {
    fetched: number;
    created: number;
    updated: number;
    unchanged: number;
    deleted: number;
    failed: number;
  };
  error: string | null;
  durationMs: number | null;
}

export interface Integration {
  id: string;
  name: string;
  connector: string;
  status: IntegrationStatus;
  credentials: Record<string, string>;
  version: number;
  entities: string[];
  mapping: Record<string, EntityMapping>;
}

/** An outbox event as the event stream sends it (CloudEvents 1.0 with its position). */
export interface HubEvent {
  id: string;
  type: string;
  source: string;
  subject?: string;
  time: string;
  data: Record<string, unknown>;
  position: number;
}
