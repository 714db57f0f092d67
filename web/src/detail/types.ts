// The shapes of the hub's answers the detail and monitoring pages read.
export interface IntegrationDetail {
  id: string;
  name: string;
  connector: string;
  status: 'active' | 'inactive' | 'error';
  statusReason: string | null;
  entities: string[];
  schedule: { enabled?: boolean };
  version: number;
}

export interface EntityStatus {
  entity: string;
  lastSyncAt: string | null;
  nextSyncAt: string | null;
  recordsSynced: number;
  errorsCount: number;
  lastError: string | null;
}

export interface SyncRunView {
  id: string;
  trigger: 'schedule' | 'manual' | 'webhook' | 'recovery';
  state: 'queued' | 'running' | 'waiting' | 'succeeded' | 'partial' | 'failed';
  counts: {
    fetched: number;
    created: number;
    updated: number;
    unchanged: number;
    deleted: number;
    failed: number;
  };
  error: string | null;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
}

export interface RecordFailure {
  id: number;
  entity: string;
  externalId: string | null;
  errors: { field?: string; message?: string }[];
}

export interface RequestLog {
  id: string;
  eventType: string;
  status: string;
  method: string | null;
  url: string | null;
  httpStatus: number | null;
  requestData: unknown;
  responseData: unknown;
  errorDetails: unknown;
  durationMs: number | null;
  createdAt: string;
}

export interface ReceivedWebhook {
  id: string;
  messageId: string | null;
  receivedAt: string;
  state: 'received' | 'processed' | 'failed' | 'dead';
  attempts: number;
  lastError: string | null;
}

export interface MonitoringBucket {
  hour: string;
  runs: number;
  failedRuns: number;
  recordsSynced: number;
  recordsFailed: number;
  requests: number;
  requestErrors: number;
  rateLimited: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
}
