// The CLI's way into the running gateway: the sidecar's /control routes on loopback, with the token
// the gateway wrote into its runtime folder.
import type { LoadedConfig } from '../config/load.ts';
import { readControlToken } from '../sidecar/control-token.ts';

export interface ControlAnswer<T> {
  ok: boolean;
  status: number;
  body: T & { error?: string };
}

export async function controlRequest<T>(loaded: LoadedConfig, method: 'GET' | 'POST', path: string, body?: unknown): Promise<ControlAnswer<T>> {
  const port = loaded.config.sidecar.port;
  const headers: Record<string, string> = { authorization: `Bearer ${readControlToken(loaded.runtimeDir)}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }).catch(() => {
    throw new Error(`no gateway answers on 127.0.0.1:${port}; start it with \`gateway start\``);
  });
  return { ok: res.ok, status: res.status, body: (await res.json()) as T & { error?: string } };
}
