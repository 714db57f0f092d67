// integration_logs rows for every request a connector makes. Rows are buffered and written in
// batches, so logging never sits on a sync's or a proxy call's critical path. A log row is not
// acknowledged data: the few rows of a crashed process's last quarter second may be missing.
import { randomUUID } from 'node:crypto';
import type { Pool } from '../../db/pool.ts';
import type { Logger } from '../../observability/logger.ts';

export interface RequestLogEntry {
  integrationId: string;
  eventType: string;
  status: 'success' | 'error';
  method?: string | undefined;
  url?: string | undefined;
  httpStatus?: number | undefined;
  requestData?: unknown;
  responseData?: unknown;
  errorDetails?: unknown;
  durationMs?: number | undefined;
  traceId?: string | undefined;
}

export class RequestLogWriter {
  readonly #pool: Pool;
  readonly #logger: Logger;
  #buffer: (RequestLogEntry & { id: string; at: Date })[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(pool: Pool, logger: Logger) {
    this.#pool = pool;
    this.#logger = logger;
  }

  write(entry: RequestLogEntry): void {
    this.#buffer.push({ ...entry, id: randomUUID(), at: new Date() });
    if (this.#buffer.length >= 200) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), 250);
  }

  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const rows = this.#buffer;
    this.#buffer = [];
    if (rows.length === 0) return this.#flushing;
    this.#flushing = this.#flushing.then(() =>
      this.#pool
        .query(
          `INSERT INTO integration_logs (id, integration_id, event_type, status, method, url, http_status,
             request_data, response_data, error_details, duration_ms, trace_id, created_at)
           SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[],
             $8::jsonb[], $9::jsonb[], $10::jsonb[], $11::int[], $12::text[], $13::timestamptz[])
             AS t(id, integration_id, event_type, status, method, url, http_status, request_data, response_data,
               error_details, duration_ms, trace_id, created_at)
           -- the integration may have been deleted while its rows waited here
           WHERE EXISTS (SELECT 1 FROM integration_configs i WHERE i.id = t.integration_id)`,
          [
            rows.map((row) => row.id),
            rows.map((row) => row.integrationId),
            rows.map((row) => row.eventType),
            rows.map((row) => row.status),
            rows.map((row) => row.method ?? null),
            rows.map((row) => row.url ?? null),
            rows.map((row) => row.httpStatus ?? null),
            rows.map((row) => json(row.requestData)),
            rows.map((row) => json(row.responseData)),
            rows.map((row) => json(row.errorDetails)),
            rows.map((row) => (row.durationMs === undefined ? null : Math.round(row.durationMs))),
            rows.map((row) => row.traceId ?? null),
            rows.map((row) => row.at),
          ],
        )
        .then(() => {})
        .catch((error: unknown) => {
          this.#logger.warn({ err: error, rows: rows.length }, 'integration log rows could not be written');
        }),
    );
    return this.#flushing;
  }
}

function json(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}
