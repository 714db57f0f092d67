// Reads a dotted path ("meta.page", "data.items[0].id") out of a parsed JSON body.
export function readPath(value: unknown, path: string): unknown {
  if (!path) return value;
  let current = value;
  for (const segment of path.replace(/\[(\d+)\]/g, '.$1').split('.')) {
    if (segment === '') continue;
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}
