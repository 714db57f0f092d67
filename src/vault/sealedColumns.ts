// Every column that holds vault ciphertext. Key rotation re-encrypts exactly these; a domain
// that stores a new kind of secret adds its column here.

export interface SealedColumn {
  table: string;
  idColumn: string;
  column: string;
  keyIdColumn: string;
  /** The additional data the value was sealed with; binds it to its row. */
  additionalData(id: string): string;
}

export const sealedColumns: SealedColumn[] = [
  {
    table: 'integration_configs',
    idColumn: 'id',
    column: 'credentials_encrypted',
    keyIdColumn: 'credentials_key_id',
    additionalData: (id) => `integration_configs.credentials:${id}`,
  },
  {
    table: 'event_subscriptions',
    idColumn: 'id',
    column: 'secret_encrypted',
    keyIdColumn: 'secret_key_id',
    additionalData: (id) => `event_subscriptions.secret:${id}`,
  },
];
