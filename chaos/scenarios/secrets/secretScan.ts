// Searching the run's output for planted secrets, in the forms a leak takes: as they are, URL- and
// form-encoded, JSON-escaped, hex, as a list of byte values (a Buffer logged as JSON), and base64
// (standard and URL-safe) at each of the three alignments a secret can have inside a longer
// base64 text (`Basic base64(user:password)` holds the password at one of them).
import { createHash } from 'node:crypto';

export interface Needle {
  encoding: string;
  text: string;
}

export interface Finding {
  /** Which secret, without showing it: its length and a hash prefix. */
  secret: string;
  encoding: string;
  file: string;
}

export interface ScanResult {
  files: number;
  bytes: number;
  secrets: number;
  needles: number;
  findings: Finding[];
}

/** Every form of the secret worth searching for; each at least 8 characters long. */
export function needlesOf(secret: string): Needle[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms: Needle[] = [
    { encoding: 'plain', text: secret },
    { encoding: 'URL-encoded', text: encodeURIComponent(secret) },
    { encoding: 'form-encoded', text: new URLSearchParams({ x: secret }).toString().slice(2) },
    { encoding: 'JSON-escaped', text: JSON.stringify(secret).slice(1, -1) },
    { encoding: 'hex', text: bytes.toString('hex') },
    { encoding: 'HEX', text: bytes.toString('hex').toUpperCase() },
    { encoding: 'byte list', text: [...bytes].join(',') },
    ...base64Cores(bytes),
  ];
  const seen = new Set<string>();
  return forms.filter((form) => {
    if (form.text.length < 8 || seen.has(form.text)) return false;
    seen.add(form.text);
    return true;
  });
}

/**
 * The part of base64 that is the same wherever the secret sits: for each offset (0, 1, 2 bytes
 * before it), the characters that depend on the secret's bytes only.
 */
function base64Cores(bytes: Buffer): Needle[] {
  const cores: Needle[] = [];
  for (const offset of [0, 1, 2]) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    const full = Math.floor(padded.length / 3) * 3;
    const encoded = padded.subarray(0, full).toString('base64');
    // Skip the characters the leading bytes influence; keep whole groups that are secret only.
    const core = encoded.slice(offset === 0 ? 0 : 4);
    for (const [encoding, text] of [
      [`base64 (offset ${offset})`, core],
      [`base64url (offset ${offset})`, core.replaceAll('+', '-').replaceAll('/', '_')],
    ] as const) {
      cores.push({ encoding, text });
    }
  }
  return cores;
}

export function describeSecret(secret: string): string {
  return `${secret.length} characters, sha256 ${createHash('sha256').update(secret).digest('hex').slice(0, 10)}`;
}

export function scanForSecrets(files: { name: string; text: string }[], secrets: string[]): ScanResult {
  const needles = secrets.map((secret) => ({ secret, needles: needlesOf(secret) }));
  const findings: Finding[] = [];
  let bytes = 0;
  for (const file of files) {
    bytes += Buffer.byteLength(file.text);
    for (const { secret, needles: forms } of needles) {
      const hit = forms.find((needle) => file.text.includes(needle.text));
      if (hit) findings.push({ secret: describeSecret(secret), encoding: hit.encoding, file: file.name });
    }
  }
  return {
    files: files.length,
    bytes,
    secrets: secrets.length,
    needles: needles.reduce((sum, entry) => sum + entry.needles.length, 0),
    findings,
  };
}
