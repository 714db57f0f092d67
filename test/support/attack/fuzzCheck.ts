// What must hold for every fuzzed request, whatever it carried: no 5xx, every 4xx a problem+json
// document with its own status, nothing written by a refused request (the tables' fingerprint is
// the same before and after), and nothing stored for a webhook whose signature is wrong.
import { changedTables, type Fingerprint, type HubTables } from './hubTables.ts';

export interface FuzzRequest {
  /** What the case is, for reports: e.g. `POST /api/v1/integrations (body)`. */
  label: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer | undefined;
  /** A webhook whose signature is known to be wrong or missing: it must store nothing. */
  forged?: boolean;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  text: string;
}

export type SendRaw = (request: FuzzRequest) => Promise<RawResponse>;

export interface Violation {
  kind: '5xx' | 'not problem+json' | 'partial write' | 'forged webhook stored';
  label: string;
  detail: string;
}

/**
 * Sends one case and checks it. `before`: the tables' fingerprint if the caller knows it (the
 * `after` of the case before, when nothing else writes), which saves a query per case.
 */
export async function checkFuzzRequest(
  send: SendRaw,
  tables: HubTables,
  request: FuzzRequest,
  before?: Fingerprint,
): Promise<{ response: RawResponse; violations: Violation[]; after: Fingerprint }> {
  const fingerprintBefore = before ?? (await tables.fingerprint());
  const response = await send(request);
  const violations: Violation[] = [];
  const where = `${request.method} ${request.url.slice(0, 200)}`;
  if (response.status >= 500) {
    violations.push({
      kind: '5xx',
      label: request.label,
      detail: `${where}: ${response.status} ${response.text.slice(0, 300)}`,
    });
  }
  if (response.status >= 400 && !isProblem(response)) {
    violations.push({
      kind: 'not problem+json',
      label: request.label,
      detail: `${where}: ${response.status} ${String(response.headers['content-type'])} ${response.text.slice(0, 200)}`,
    });
  }
  const refused = response.status >= 400;
  const after = await tables.fingerprint();
  if (refused || request.forged) {
    const changed = changedTables(fingerprintBefore, after);
    if (changed.length > 0) {
      violations.push({
        kind: refused ? 'partial write' : 'forged webhook stored',
        label: request.label,
        detail: `${where}: ${response.status}, changed ${changed.join(', ')}`,
      });
    }
  }
  return { response, violations, after };
}

function isProblem(response: RawResponse): boolean {
  const type = String(response.headers['content-type'] ?? '');
  if (!type.startsWith('application/problem+json')) return false;
  try {
    const problem = JSON.parse(response.text) as Record<string, unknown>;
    return (
      problem.status === response.status &&
      typeof problem.type === 'string' &&
      typeof problem.title === 'string' &&
      typeof problem.detail === 'string'
    );
  } catch {
    return false;
  }
}
