-- OAuth authorization requests under way: a person was sent to the provider to grant access and
-- will come back to the callback with a code. Only the hash of the state is kept, so a read of
-- this table cannot complete someone else's grant; a request is used once and lives 10 minutes.
CREATE TABLE oauth_authorizations (
  state_hash     text PRIMARY KEY,
  integration_id uuid NOT NULL REFERENCES integration_configs (id) ON DELETE CASCADE,
  code_verifier  text NOT NULL,
  redirect_uri   text NOT NULL,
  return_to      text,
  actor          jsonb NOT NULL,
  expires_at     timestamptz NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX oauth_authorizations_expiry ON oauth_authorizations (expires_at);
