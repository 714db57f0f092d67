-- The event schema registry: a JSON Schema per event type and version, and each type's
-- compatibility mode. Versions are immutable: events name them in `dataschema` for good.
CREATE TABLE event_types (
  type          text PRIMARY KEY,
  compatibility text NOT NULL DEFAULT 'BACKWARD' CHECK (compatibility IN ('BACKWARD', 'BACKWARD_TRANSITIVE',
                  'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE', 'NONE')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  updated_by    text NOT NULL
);

CREATE TABLE event_schemas (
  type          text NOT NULL REFERENCES event_types (type),
  version       integer NOT NULL CHECK (version >= 1),
  schema        jsonb NOT NULL,
  -- The type's mode when this version was registered, i.e. what it was checked against.
  compatibility text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  created_by    text NOT NULL,
  PRIMARY KEY (type, version)
);

CREATE FUNCTION refuse_event_schema_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'event schema % version % is immutable', OLD.type, OLD.version
    USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE TRIGGER event_schemas_immutable BEFORE UPDATE OR DELETE ON event_schemas
  FOR EACH ROW EXECUTE FUNCTION refuse_event_schema_change();
