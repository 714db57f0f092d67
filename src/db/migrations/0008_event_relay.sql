-- The event relay. Outbox rows get a delivery order `seq` only once committed: one sequencer at a
-- time (an advisory lock held to its commit) numbers every visible unnumbered row in position
-- order, so readers that follow `seq` never skip an event whose transaction committed late.
ALTER TABLE outbox_events ADD COLUMN seq bigint;
CREATE UNIQUE INDEX outbox_events_seq ON outbox_events (seq);
CREATE INDEX outbox_events_unsequenced ON outbox_events (position) WHERE seq IS NULL;
UPDATE outbox_events o SET seq = n.seq
  FROM (SELECT position, row_number() OVER (ORDER BY position) AS seq FROM outbox_events) n
 WHERE o.position = n.position;

-- Wakes the relay when events are written; polling stays as the floor.
CREATE FUNCTION notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('hub_outbox', '');
  RETURN NULL;
END $$;
CREATE TRIGGER outbox_events_notify AFTER INSERT ON outbox_events
  FOR EACH STATEMENT EXECUTE FUNCTION notify_outbox();

-- Subscribers: an HTTP endpoint (Standard Webhooks signing), a NATS JetStream subject, or a
-- handler inside the hub process.
CREATE TABLE event_subscriptions (
  id               uuid PRIMARY KEY,
  name             text NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('http', 'nats', 'in-process')),
  -- Event type patterns: exact types, "customer.*", or "*".
  types            text[] NOT NULL,
  -- The same as LIKE patterns, matched by the sequencer.
  type_patterns    text[] NOT NULL,
  url              text,
  nats_subject     text,
  handler          text,
  secret_encrypted text,
  secret_key_id    text,
  -- Seconds between attempts; the last entry ends the retries (the delivery is dead-lettered).
  retry_schedule   integer[] NOT NULL,
  -- Disabled after failing without a single success for this long.
  disable_after_seconds integer NOT NULL DEFAULT 432000,
  enabled          boolean NOT NULL DEFAULT true,
  disabled_reason  text,
  disabled_at      timestamptz,
  failing_since    timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  created_by       text,
  updated_at       timestamptz NOT NULL DEFAULT now()
);

-- One row per (subscription, event): the delivery log and the work queue in one.
CREATE TABLE event_deliveries (
  subscription_id uuid NOT NULL REFERENCES event_subscriptions (id) ON DELETE CASCADE,
  seq             bigint NOT NULL,
  event_id        uuid NOT NULL,
  subject         text,
  state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  locked_until    timestamptz,
  last_status     integer,
  last_error      text,
  last_attempt_at timestamptz,
  duration_ms     integer,
  delivered_at    timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (subscription_id, seq)
);
CREATE INDEX event_deliveries_due ON event_deliveries (seq) WHERE state = 'pending';
-- What blocks a subject: deliveries in backoff, and deliveries claimed by a relay.
CREATE INDEX event_deliveries_waiting ON event_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX event_deliveries_claimed ON event_deliveries (locked_until) WHERE state = 'pending' AND locked_until IS NOT NULL;
CREATE INDEX event_deliveries_dead ON event_deliveries (subscription_id, seq) WHERE state = 'dead';
