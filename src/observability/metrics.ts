// Prometheus metrics of one hub process: request latency, pool figures, Node's defaults.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Pool } from '../db/pool.ts';

export interface HubMetrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  /** Requests to external systems, by integration and status (or "network" when none came back). */
  sourceRequests: Histogram<'integration' | 'status'>;
  syncRuns: Counter<'integration' | 'state'>;
  syncRecords: Counter<'integration' | 'outcome'>;
  rateLimited: Counter<'integration'>;
}

export function createMetrics(pool: Pool): HubMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hub_' });
  const httpDuration = new Histogram({
    name: 'hub_http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const poolGauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  poolGauge('hub_db_pool_connections', 'connections open in the PostgreSQL pool', () => pool.totalCount);
  poolGauge('hub_db_pool_idle', 'idle connections in the PostgreSQL pool', () => pool.idleCount);
  poolGauge('hub_db_pool_waiting', 'queries waiting for a pool connection', () => pool.waitingCount);
  const sourceRequests = new Histogram({
    name: 'hub_source_request_duration_seconds',
    help: 'requests to external systems by integration and status',
    labelNames: ['integration', 'status'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const syncRuns = new Counter({
    name: 'hub_sync_runs_total',
    help: 'finished sync runs by integration and final state',
    labelNames: ['integration', 'state'],
    registers: [registry],
  });
  const syncRecords = new Counter({
    name: 'hub_sync_records_total',
    help: 'records handled by syncs: created, updated, unchanged, deleted, failed',
    labelNames: ['integration', 'outcome'],
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: 'hub_source_rate_limited_total',
    help: 'answers from external systems that said to slow down (429 and the like)',
    labelNames: ['integration'],
    registers: [registry],
  });
  return { registry, httpDuration, sourceRequests, syncRuns, syncRecords, rateLimited };
}
