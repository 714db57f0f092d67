// Source paths of a mapping: `a.b`, `items[0].sku`, `tags[*].name` (collects over an array, and
// flattens nested collections), `["Straße Nr"]` for keys with special characters. Parsed once.

export type PathSegment = { key: string } | { index: number } | { all: true };

export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let position = 0;
  const fail = (why: string): never => {
    throw new SyntaxError(`path "${path}": ${why} at ${position}`);
  };
  while (position < path.length) {
    const char = path[position];
    if (char === '.') {
      if (position === 0 || position === path.length - 1) fail('a dot needs a name on both sides');
      position += 1;
      continue;
    }
    if (char === '[') {
      const end = path.indexOf(']', position);
      if (end < 0) fail('"[" is not closed');
      const inner = path.slice(position + 1, end).trim();
      if (inner === '*') segments.push({ all: true });
      else if (/^-?\d+$/.test(inner)) segments.push({ index: Number(inner) });
      else if (/^(["']).*\1$/.test(inner)) segments.push({ key: inner.slice(1, -1) });
      else fail(`"[${inner}]" is not an index, * or a quoted key`);
      position = end + 1;
      continue;
    }
    let end = position;
    while (end < path.length && path[end] !== '.' && path[end] !== '[') end += 1;
    segments.push({ key: path.slice(position, end) });
    position = end;
  }
  if (segments.length === 0) fail('the path is empty');
  return segments;
}

/** Reads a parsed path; undefined when any step is missing. `[*]` yields an array. */
export function readSegments(value: unknown, segments: PathSegment[], from = 0): unknown {
  let current = value;
  for (let i = from; i < segments.length; i++) {
    const segment = segments[i] as PathSegment;
    if (current === null || current === undefined) return undefined;
    if ('all' in segment) {
      if (!Array.isArray(current)) return undefined;
      const collected: unknown[] = [];
      for (const item of current) {
        const inner = readSegments(item, segments, i + 1);
        if (inner === undefined) continue;
        // A later [*] returns an array of its own; nested collections flatten into one list.
        if (Array.isArray(inner) && segments.slice(i + 1).some((rest) => 'all' in rest))
          collected.push(...inner);
        else collected.push(inner);
      }
      return collected;
    }
    if ('index' in segment) {
      if (!Array.isArray(current)) return undefined;
      current = current[segment.index < 0 ? current.length + segment.index : segment.index];
      continue;
    }
    if (typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment.key];
  }
  return current;
}

/** The top-level key a path starts with (for keepUnmapped). */
export function rootKey(segments: PathSegment[]): string | undefined {
  const first = segments[0];
  return first && 'key' in first ? first.key : undefined;
}

/** Sets a dotted target field ("address.street") in an output object. */
export function setTarget(output: Record<string, unknown>, parts: string[], value: unknown): void {
  let current = output;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i] as string;
    const next = current[part];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) current[part] = {};
    current = current[part] as Record<string, unknown>;
  }
  current[parts[parts.length - 1] as string] = value;
}

export type PathReader = (value: unknown) => unknown;

/** A reader specialised for one parsed path: plain key paths (the common case) become direct property reads. */
export function compileReader(segments: PathSegment[]): PathReader {
  if (segments.every((segment) => 'key' in segment)) {
    const keys = segments.map((segment) => (segment as { key: string }).key);
    if (keys.length === 1) {
      const [key] = keys as [string];
      return (value) =>
        value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    }
    return (value) => {
      let current = value;
      for (const key of keys) {
        if (current === null || typeof current !== 'object') return undefined;
        current = (current as Record<string, unknown>)[key];
      }
      return current;
    };
  }
  return (value) => readSegments(value, segments);
}
