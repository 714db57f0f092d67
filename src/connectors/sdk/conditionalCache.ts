// Conditional requests (ETag / If-None-Match, Last-Modified / If-Modified-Since): the validators
// and body of the last 200 answer per URL are kept, so an unchanged page costs the source a 304
// and the hub no parsing of new data.
import type { Queryable } from '../../db/pool.ts';

export interface CachedResponse {
  etag: string | null;
  lastModified: string | null;
  body: Buffer;
  contentType: string | null;
}

export interface StoredResponse extends CachedResponse {
  storedAt: Date;
}

export class ConditionalCache {
  readonly #db: Queryable;
  readonly #integrationId: string;

  constructor(db: Queryable, integrationId: string) {
    this.#db = db;
    this.#integrationId = integrationId;
  }

  async get(urlKey: string): Promise<StoredResponse | undefined> {
    const result = await this.#db.query<StoredResponse>(
      `SELECT etag, last_modified AS "lastModified", body, content_type AS "contentType", stored_at AS "storedAt"
         FROM http_cache WHERE integration_id = $1 AND url_key = $2`,
      [this.#integrationId, urlKey],
    );
    return result.rows[0];
  }

  async put(urlKey: string, entry: CachedResponse): Promise<void> {
    await this.#db.query(
      `INSERT INTO http_cache (integration_id, url_key, etag, last_modified, body, content_type, stored_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (integration_id, url_key) DO UPDATE SET etag = excluded.etag,
         last_modified = excluded.last_modified, body = excluded.body, content_type = excluded.content_type,
         stored_at = excluded.stored_at`,
      // The hub's clock, not the database's: a sync compares it with times the hub wrote.
      [
        this.#integrationId,
        urlKey,
        entry.etag,
        entry.lastModified,
        entry.body,
        entry.contentType,
        new Date(),
      ],
    );
  }
}
