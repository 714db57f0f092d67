// The shapes of the hub's answers the conflicts, events and administration pages read.
import type { Role } from './types.ts';

export type Side = 'hub' | 'external';

export interface Conflict {
  id: string;
  integrationId: string;
  entity: string;
  externalId: string;
  policy: string;
  state: 'open' | 'resolved';
  contested: string[];
  base: Record<string, unknown> | null;
  hub: Record<string, unknown>;
  external: Record<string, unknown>;
  winner: string | null;
  createdAt: string;
}

export type DeliveryState = 'pending' | 'delivered' | 'dead';

export interface Subscription {
  id: string;
  name: string;
  kind: 'http' | 'nats' | 'in-process';
  types: string[];
  url?: string;
  natsSubject?: string;
  handler?: string;
  /** Events per request; more than 1: CloudEvents batches. */
  batchSize: number;
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: string | null;
  failingSince: string | null;
  deliveries?: Record<DeliveryState, number>;
}

export interface Delivery {
  seq: number;
  eventId: string;
  type: string;
  subject: string | null;
  state: DeliveryState;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  lastAttemptAt: string | null;
}

export interface SchemaType {
  type: string;
  compatibility: string;
  latestVersion: number | null;
  writtenBy: 'hub' | 'modules';
}

export interface SchemaVersion {
  type: string;
  version: number;
  compatibility: string;
  createdAt: string;
}

export interface ApiToken {
  id: string;
  name: string;
  role: Role;
  tokenPrefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface AuditEntry {
  id: number;
  occurredAt: string;
  actor: { type: string; id: string; name: string };
  action: string;
  target: { type: string; id: string | null };
}

export interface KeyStatus {
  masterKeyId: string;
  dataKeys: { id: string; state: string; createdAt: string; sealedValues: number }[];
}
