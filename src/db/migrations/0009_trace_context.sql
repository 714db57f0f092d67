-- The W3C trace context (traceparent, tracestate) of the span that wrote a row, beside its trace
-- id: the span that later handles the row (a delivery, a sync run, a webhook's processing) becomes
-- a child of that span instead of only sharing its trace.
ALTER TABLE outbox_events ADD COLUMN traceparent text, ADD COLUMN tracestate text;
ALTER TABLE sync_runs ADD COLUMN traceparent text, ADD COLUMN tracestate text;
ALTER TABLE inbound_webhooks ADD COLUMN tracestate text;
