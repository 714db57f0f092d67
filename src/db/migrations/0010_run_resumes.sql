-- How often a run paused after a transient failure (retries of its requests spent) and resumed
-- from its checkpoint; past the limit the run fails as before.
ALTER TABLE sync_runs ADD COLUMN resumes integer NOT NULL DEFAULT 0;
