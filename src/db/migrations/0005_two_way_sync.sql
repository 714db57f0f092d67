-- Two-way sync. A record changed in the hub keeps the version both sides last agreed on
-- (base_data) until the change is written back to the source; write_state says where it stands.
ALTER TABLE integration_configs
  ADD COLUMN two_way jsonb NOT NULL DEFAULT '{"enabled": false, "conflictPolicy": "manual"}';

ALTER TABLE synced_records
  ADD COLUMN base_data      jsonb,
  ADD COLUMN hub_changed_at timestamptz,
  ADD COLUMN write_state    text CHECK (write_state IN ('pending', 'conflict'));
CREATE INDEX synced_records_pending_writes ON synced_records (integration_id, entity, hub_changed_at)
  WHERE write_state IS NOT NULL;

-- Records changed on both sides since their base: how each was decided, and those waiting for a person.
CREATE TABLE sync_conflicts (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  integration_id uuid NOT NULL REFERENCES integration_configs (id) ON DELETE CASCADE,
  entity         varchar(50) NOT NULL,
  external_id    text NOT NULL,
  policy         text NOT NULL,
  state          text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'resolved')),
  contested      text[] NOT NULL DEFAULT '{}',
  base           jsonb NOT NULL,
  hub            jsonb NOT NULL,
  external       jsonb NOT NULL,
  winner         text,
  result         jsonb,
  created_at     timestamptz NOT NULL DEFAULT now(),
  resolved_at    timestamptz,
  resolved_by    text
);
CREATE UNIQUE INDEX sync_conflicts_one_open ON sync_conflicts (integration_id, entity, external_id)
  WHERE state = 'open';
CREATE INDEX sync_conflicts_by_state ON sync_conflicts (state, created_at DESC);
