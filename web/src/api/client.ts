// Every call to the hub's API: the session's token as a bearer token, JSON in and out, and the
// hub's problem+json errors as ApiError. A refused token ends the session.
import { readToken } from '../session/tokenStore.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;

  constructor(status: number, message: string, code?: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const UNAUTHORIZED_EVENT = 'hub:unauthorized';

export function authorizationHeader(token = readToken()): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

export async function api<T>(
  path: string,
  options: { method?: string; body?: unknown; headers?: Record<string, string>; token?: string } = {},
): Promise<{ data: T; headers: Headers }> {
  const response = await fetch(`/api/v1${path}`, {
    method: options.method ?? 'GET',
    headers: {
      accept: 'application/json',
      ...authorizationHeader(options.token),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  const body = text ? parseJson(text) : undefined;
  if (!response.ok) {
    if (response.status === 401 && options.token === undefined) {
      window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
    }
    const problem = (body ?? {}) as { detail?: string; title?: string; code?: string };
    throw new ApiError(response.status, problem.detail ?? problem.title ?? response.statusText, problem.code);
  }
  return { data: body as T, headers: response.headers };
}

export async function apiGet<T>(path: string): Promise<T> {
  return (await api<T>(path)).data;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
