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
  properties?: Record<string, { type?: string; description?: string; title?: string }>;
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
}

export interface Integration {
  id: string;
  name: string;
  connector: string;
  status: IntegrationStatus;
  credentials: Record<string, string>;
  version: number;
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
