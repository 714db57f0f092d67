-- Inbound webhooks: every verified webhook is stored before the sender hears 2xx; the table is
-- also the work list of its processing (the transactional inbox): workers claim due rows, woken
-- by a notification on insert. Repeats of a message are refused by the key (integration,
-- message id). Processing failures are retried with backoff, then parked as dead letters.
CREATE TABLE inbound_webhooks (
  id             uuid PRIMARY KEY,
  integration_id uuid NOT NULL REFERENCES integration_configs (id) ON DELETE CASCADE,
  message_id     text NOT NULL,
  received_at    timestamptz NOT NULL DEFAULT now(),
  -- Headers without the ones that carry secrets or proofs.
  headers        jsonb NOT NULL,
  body           bytea NOT NULL,
  state          text NOT NULL DEFAULT 'received'
                 CHECK (state IN ('received', 'processed', 'failed', 'dead')),
  attempts       integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  -- Claimed by a worker until then; a worker that died leaves it to expire.
  locked_until   timestamptz,
  last_error     text,
  -- What processing did: records landed per entity, the run it started.
  outcome        jsonb,
  processed_at   timestamptz,
  trace_id       text,
  traceparent    text,
  UNIQUE (integration_id, message_id)
);
CREATE INDEX inbound_webhooks_by_integration ON inbound_webhooks (integration_id, received_at DESC, id);
CREATE INDEX inbound_webhooks_dead ON inbound_webhooks (integration_id) WHERE state = 'dead';
CREATE INDEX inbound_webhooks_due ON inbound_webhooks (next_attempt_at) WHERE state IN ('received', 'failed');

CREATE FUNCTION notify_inbound_webhooks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('hub_inbound', '');
  RETURN NULL;
END $$;
CREATE TRIGGER inbound_webhooks_notify AFTER INSERT ON inbound_webhooks
  FOR EACH STATEMENT EXECUTE FUNCTION notify_inbound_webhooks();

-- Push channels the hub opened at a source (Google watch channels, Graph subscriptions). Only a
-- hash of the channel's secret is kept: it is compared with what each notification carries.
CREATE TABLE push_channels (
  integration_id uuid NOT NULL REFERENCES integration_configs (id) ON DELETE CASCADE,
  channel_id     text NOT NULL,
  secret_hash    text NOT NULL,
  resource_id    text,
  expires_at     timestamptz NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (integration_id, channel_id)
);
