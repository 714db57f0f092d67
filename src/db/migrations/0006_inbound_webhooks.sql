-- Inbound webhooks: every verified webhook is stored before the sender hears 2xx, then processed
-- by a job (committed in the same transaction). Repeats of a message are refused by the key
-- (integration, message id). Processing failures are retried, then parked as dead letters.
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
