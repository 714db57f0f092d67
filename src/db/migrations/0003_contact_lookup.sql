-- Matching email senders and callers to CRM customers and contacts without a scan of every record.
CREATE INDEX synced_records_contact_email ON synced_records ((lower(data->>'email')))
  WHERE canonical_type IN ('customer', 'contact') AND deleted_at IS NULL;
CREATE INDEX synced_records_contact_phone ON synced_records ((data->>'phone'))
  WHERE canonical_type IN ('customer', 'contact') AND deleted_at IS NULL;
