import { fail, ok, type Result } from '../core/index.ts';

// who the relay says a token belongs to, and which projects (with epochs) it may read

export interface SessionInfo {
  user: { id: string; name: string };
  projects: { id: string; name: string; epoch: number; role: string | null; facilityRole: string | null }[];
  serverTime: string;
}

export function httpBase(server: string): string {
  return server.replace(/^ws(s?):\/\//, 'http$1://').replace(/\/+$/, '');
}

export async function fetchSession(server: string, token: string, timeoutMs = 5000): Promise<Result<SessionInfo>> {
  if (!/^wss?:\/\/[^/]+/.test(server)) return fail('invalid_input', `--server ${server}: expected ws://HOST:PORT or wss://HOST:PORT`);
  try {
    const res = await fetch(`${httpBase(server)}/v1/session`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.status === 401) return fail('permission_denied', 'Permission denied: the relay does not know this token (or it was revoked)');
    if (!res.ok) return fail('conflict', `the relay answered HTTP ${res.status}`);
    return ok((await res.json()) as SessionInfo);
  } catch (err) {
    return fail('not_found', `cannot reach the relay at ${server}: ${(err as Error).message}`);
  }
}
