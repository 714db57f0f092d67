// The check when settings are saved: every place in an integration's config (or a subscriber's
// URL) the hub will call out to, named by its field, refused with a 400 when its address is one
// the policy refuses. Found by shape rather than listed per connector: absolute URLs anywhere
// (base URLs, token endpoints, WSDLs, next links given as paths) and fields named `host`.
import type { FieldProblem } from '../errors.ts';
import type { OutboundNetwork } from './outboundNetwork.ts';

export interface OutboundTarget {
  field: string;
  host: string;
}

const absoluteUrl = /^[a-z][\w+.-]*:\/\//i;
const MAX_DEPTH = 12;

/** The hosts a config would make the hub call, each with its field (e.g. `config.imap.host`). */
export function outboundTargets(value: unknown, field: string, depth = 0): OutboundTarget[] {
  if (depth > MAX_DEPTH) return [];
  if (typeof value === 'string') {
    const key = field.slice(field.lastIndexOf('.') + 1);
    if (absoluteUrl.test(value)) {
      const host = hostOf(value);
      return host ? [{ field, host }] : [];
    }
    return /host$/i.test(key) && value.trim() !== '' ? [{ field, host: value.trim() }] : [];
  }
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => outboundTargets(item, `${field}.${index}`, depth + 1));
  }
  if (value && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([key, item]) =>
      // Header values are sent, not called.
      key === 'headers' ? [] : outboundTargets(item, `${field}.${key}`, depth + 1),
    );
  }
  return [];
}

/** A problem per target the policy refuses (checked in parallel, names resolved with a timeout). */
export async function refusedTargets(
  network: OutboundNetwork,
  targets: OutboundTarget[],
): Promise<FieldProblem[]> {
  const verdicts = await Promise.all(
    targets.map(async (target) => ({ target, refusal: await network.refusalOf(target.host) })),
  );
  return verdicts.flatMap(({ target, refusal }) =>
    refusal ? [{ field: target.field, message: refusal }] : [],
  );
}

function hostOf(url: string): string | undefined {
  try {
    // The WHATWG parser normalises 0x7f.1, 2130706433 and friends to dotted IPv4.
    return new URL(url).hostname.replace(/^\[|\]$/g, '') || undefined;
  } catch {
    return undefined;
  }
}
