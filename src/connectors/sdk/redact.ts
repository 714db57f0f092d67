// Everything the SDK writes about a request (integration_logs, events, errors) passes through
// here first. Two layers: names that look secret are masked, and the integration's own secret
// values are replaced wherever they appear.

const secretName =
  /auth|token|secret|password|passwd|api[-_]?key|apikey|signature|sig$|cookie|session|code$/i;
const REDACTED = '[redacted]';
const redactedBytes = Buffer.from(REDACTED);

export class Redactor {
  readonly #source: () => Iterable<string>;

  /** A function is asked on every use, so tokens that change (OAuth refresh) stay covered. */
  constructor(secretValues: Iterable<string> | (() => Iterable<string>)) {
    this.#source = typeof secretValues === 'function' ? secretValues : () => secretValues;
  }

  #secrets(): string[] {
    // Longest first, so a secret that contains another is replaced whole.
    return [...new Set([...this.#source()].filter((value) => value.length >= 4))].sort(
      (a, b) => b.length - a.length,
    );
  }

  text(value: string): string {
    let result = value;
    for (const secret of this.#secrets()) {
      if (result.includes(secret)) result = result.split(secret).join(REDACTED);
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret && result.includes(encoded)) result = result.split(encoded).join(REDACTED);
    }
    return result;
  }

  /**
   * The same for raw bytes, such as an answer the proxy hands back (a source that echoes the
   * credentials it was sent must not show them to the caller): secrets are replaced, every other
   * byte is left as it was.
   */
  bytes(value: Buffer): Buffer {
    let result = value;
    for (const secret of this.#secrets()) {
      for (const form of new Set([secret, encodeURIComponent(secret)])) {
        result = replaceBytes(result, Buffer.from(form, 'utf8'), redactedBytes);
      }
    }
    return result;
  }

  url(raw: string | URL): string {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return this.text(String(raw));
    }
    if (url.username) url.username = REDACTED;
    if (url.password) url.password = '';
    for (const key of [...url.searchParams.keys()]) {
      if (secretName.test(key)) url.searchParams.set(key, REDACTED);
    }
    return this.text(url.toString());
  }

  headers(headers: Record<string, string | string[] | undefined>): Record<string, string> {
    const result: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) continue;
      const joined = Array.isArray(value) ? value.join(', ') : value;
      result[name.toLowerCase()] = secretName.test(name) ? REDACTED : this.text(joined);
    }
    return result;
  }

  /** A JSON value with secret-looking fields masked and secret values replaced. */
  json(value: unknown, depth = 0): unknown {
    if (depth > 8) return '…';
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.slice(0, 20).map((item) => this.json(item, depth + 1));
    if (value && typeof value === 'object') {
      const result: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(value)) {
        result[key] =
          secretName.test(key) && inner !== null && typeof inner !== 'object'
            ? REDACTED
            : this.json(inner, depth + 1);
      }
      return result;
    }
    return value;
  }

  /** A short, safe summary of a body for the request log. */
  bodySummary(body: string | undefined, limit = 2048): string | undefined {
    if (body === undefined || body.length === 0) return undefined;
    try {
      const parsed = JSON.parse(body) as unknown;
      const text = JSON.stringify(this.json(parsed));
      return text.length > limit ? `${text.slice(0, limit)}…` : text;
    } catch {
      const text = this.text(body);
      return text.length > limit ? `${text.slice(0, limit)}…` : text;
    }
  }
}

function replaceBytes(haystack: Buffer, needle: Buffer, replacement: Buffer): Buffer {
  let found = haystack.indexOf(needle);
  if (found < 0) return haystack;
  const parts: Buffer[] = [];
  let from = 0;
  while (found >= 0) {
    parts.push(haystack.subarray(from, found), replacement);
    from = found + needle.length;
    found = haystack.indexOf(needle, from);
  }
  parts.push(haystack.subarray(from));
  return Buffer.concat(parts);
}
