-- Events per request for an HTTP subscriber: 1 sends each event on its own (Standard Webhooks,
-- CloudEvents structured mode); more sends up to that many as one JSON array (CloudEvents batched
-- mode), in order.
ALTER TABLE event_subscriptions
  ADD COLUMN batch_size integer NOT NULL DEFAULT 1 CHECK (batch_size BETWEEN 1 AND 500),
  ADD CONSTRAINT event_subscriptions_batches_are_http CHECK (batch_size = 1 OR kind = 'http');
