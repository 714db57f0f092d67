// How a credential is shown after it was written: never the value, at most its last four
// characters, and only when the value is long enough that four characters give nothing away.

export const MASK = '••••';

export function maskSecret(value: string): string {
  return value.length >= 16 ? `${MASK}${value.slice(-4)}` : MASK;
}

export function maskCredentials(credentials: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(credentials).map(([key, value]) => [key, maskSecret(value)]));
}
