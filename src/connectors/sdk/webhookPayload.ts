// Reading a webhook body: JSON, or a form (application/x-www-form-urlencoded) whose repeated
// fields (`user[]`) become lists.
export function parsePayload(body: Buffer, contentType: string | undefined): unknown {
  const text = body.toString('utf8');
  if (contentType?.includes('application/x-www-form-urlencoded')) return parseForm(text);
  if (text.trim() === '') return {};
  return JSON.parse(text);
}

export function parseForm(text: string): Record<string, string | string[]> {
  const form: Record<string, string | string[]> = {};
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const list = rawKey.endsWith('[]');
    const key = list ? rawKey.slice(0, -2) : rawKey;
    const existing = form[key];
    if (list || existing !== undefined) {
      form[key] = [...(Array.isArray(existing) ? existing : existing === undefined ? [] : [existing]), value];
    } else form[key] = value;
  }
  return form;
}
