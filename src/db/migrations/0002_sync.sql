-- Sync engine: runs, the canonical record store, mapping failures, the transactional outbox,
-- conditional-request cache, integration health (probes, recovery) and daily reports.

-- Why an integration is in error, and whether the hub may heal it alone.
ALTER TABLE integration_configs
  ADD COLUMN error_kind        text,
  ADD COLUMN needs_attention   boolean NOT NULL DEFAULT false,
  ADD COLUMN status_changed_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN next_probe_at     timestamptz,
  ADD COLUMN probe_attempts    integer NOT NULL DEFAULT 0,
  ADD COLUMN last_health_check jsonb;
CREATE INDEX integration_configs_probe_due ON integration_configs (next_probe_at) WHERE status = 'error';

CREATE TABLE sync_runs (
  id             uuid PRIMARY KEY,
  integration_id uuid NOT NULL REFERENCES integration_configs (id) ON DELETE CASCADE,
  trigger        text NOT NULL CHECK (trigger IN ('schedule', 'manual', 'webhook', 'recovery')),
  mode           text NOT NULL CHECK (mode IN ('full', 'incremental')),
  entities       jsonb NOT NULL,
  state          text NOT NULL CHECK (state IN ('queued', 'running', 'waiting', 'succeeded', 'partial', 'failed')),
  -- per entity: { fetched, created, updated, unchanged, deleted, failed, done, error }
  progress       jsonb NOT NULL DEFAULT '{}',
  fetched        integer NOT NULL DEFAULT 0,
  created        integer NOT NULL DEFAULT 0,
  updated        integer NOT NULL DEFAULT 0,
  unchanged      integer NOT NULL DEFAULT 0,
  deleted        integer NOT NULL DEFAULT 0,
  failed         integer NOT NULL DEFAULT 0,
  error          text,
  error_kind     text,
  resume_at      timestamptz,
  attempts       integer NOT NULL DEFAULT 0,
  requested_by   text,
  trace_id       text,
  queued_at      timestamptz NOT NULL DEFAULT now(),
  started_at     timestamptz,
  heartbeat_at   timestamptz,
  -- The executing worker's lease; a worker that lost it (stalled, taken over) stops writing.
  lease_token    uuid,
  finished_at    timestamptz,
  duration_ms    integer
);
CREATE INDEX sync_runs_by_integration ON sync_runs (integration_id, queued_at DESC, id);
-- One unfinished run per integration: the database, not a check in code, keeps runs from overlapping.
CREATE UNIQUE INDEX sync_runs_one_unfinished ON sync_runs (integration_id)
  WHERE state IN ('queued', 'running', 'waiting');
CREATE INDEX sync_runs_finished ON sync_runs (finished_at);

-- The hub's copy of every synced record, in canonical form, keyed as the source knows it.
CREATE TABLE synced_records (
  integration_id uuid NOT NULL REFERENCES integration_configs (id) ON DELETE CASCADE,
  entity         varchar(50) NOT NULL,
  external_id    text NOT NULL,
  canonical_type varchar(50) NOT NULL,
  data           jsonb NOT NULL,
  content_hash   text,
  version        integer NOT NULL DEFAULT 1,
  deleted_at     timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  last_run_id    uuid,
  PRIMARY KEY (integration_id, entity, external_id)
);
CREATE INDEX synced_records_updated ON synced_records (integration_id, entity, updated_at, external_id);

-- Ids a full sync saw, so records the source no longer has can be swept. Scratch data: no WAL.
CREATE UNLOGGED TABLE sync_seen_ids (
  run_id      uuid NOT NULL,
  entity      varchar(50) NOT NULL,
  external_id text NOT NULL,
  PRIMARY KEY (run_id, entity, external_id)
);

-- Records that could not be mapped: kept with their reason, never dropped silently.
CREATE TABLE sync_record_failures (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id         uuid NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
  integration_id uuid NOT NULL REFERENCES integration_configs (id) ON DELETE CASCADE,
  entity         varchar(50) NOT NULL,
  external_id    text,
  errors         jsonb NOT NULL,
  source_data    jsonb NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sync_record_failures_by_run ON sync_record_failures (run_id, id);

-- Transactional outbox: an event is written in the same transaction as the change it describes.
CREATE TABLE outbox_events (
  position       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id             uuid NOT NULL UNIQUE,
  type           text NOT NULL,
  source         text NOT NULL,
  subject        text,
  time           timestamptz NOT NULL DEFAULT now(),
  data           jsonb NOT NULL,
  dataschema     text,
  integration_id uuid,
  trace_id       text
);
CREATE INDEX outbox_events_by_integration ON outbox_events (integration_id, position DESC) WHERE integration_id IS NOT NULL;
CREATE INDEX outbox_events_by_type ON outbox_events (type, position DESC);

-- Conditional requests: the validators and body of the last 200 answer per URL.
CREATE TABLE http_cache (
  integration_id uuid NOT NULL REFERENCES integration_configs (id) ON DELETE CASCADE,
  url_key        text NOT NULL,
  etag           text,
  last_modified  text,
  body           bytea NOT NULL,
  content_type   text,
  stored_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (integration_id, url_key)
);

CREATE TABLE sync_daily_reports (
  integration_id uuid NOT NULL REFERENCES integration_configs (id) ON DELETE CASCADE,
  day            date NOT NULL,
  runs           integer NOT NULL,
  succeeded      integer NOT NULL,
  failed         integer NOT NULL,
  success_rate   numeric(5, 4),
  records        jsonb NOT NULL,
  errors         jsonb NOT NULL,
  generated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (integration_id, day)
);
