// (f) the second peer: LiteLLM's proxy (`litellm[proxy]` from PyPI, in the virtual environment that
// scripts/ensure-litellm.sh makes in .tools/litellm), started as its docs start it (`litellm --config`),
// routing to the same emulators. Its config lists the model three times, one deployment per emulator,
// and its router spreads requests over them ("simple-shuffle", its default strategy).
//
// The deployments are `ollama_chat/<model>` with the emulator as `api_base`: what LiteLLM's docs advise
// for Ollama (its native /api/chat, which LiteLLM turns into OpenAI replies and SSE streams), so the
// proxy does the translation work a real Ollama deployment asks of it. Each deployment's `model_info.id`
// is the emulator's name, which LiteLLM returns in `x-litellm-model-id` (bench/client.ts reads it).
//
// Run as its production guide says: one uvicorn worker (its advice for containers; one process, like
// Portkey), LITELLM_MODE=PRODUCTION, LITELLM_LOG=ERROR (no info log line per request). Plain HTTP on
// 127.0.0.1 like Portkey; no database, nothing sent out: telemetry off and the model cost map read from
// the package instead of fetched from GitHub at start. LiteLLM refuses to start without a master key, so
// every request carries a random one, as the gateway's carry their API key.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { MODEL } from './measure.ts';
import { freePort, sleep, start, type Child } from './procs.ts';
import { EMULATORS } from './servers.ts';

export interface RunningLiteLLM {
  child: Child;
  url: string;
  /** Headers that every request to it must carry: the master key. */
  headers: Record<string, string>;
}

const VENV = fileURLToPath(new URL('../.tools/litellm/', import.meta.url));
const PYTHON = join(VENV, 'bin', 'python');

function checkInstalled(): void {
  if (!existsSync(join(VENV, 'bin', 'litellm'))) {
    throw new Error(`LiteLLM's proxy is not installed in ${VENV} (sh scripts/ensure-litellm.sh installs it; npm run bench runs it)`);
  }
}

/** The installed LiteLLM and the Python it runs on. */
export function litellmVersions(): { litellm: string; python: string } {
  checkInstalled();
  const script = 'import platform; from importlib.metadata import version; print(version("litellm"), platform.python_version())';
  const [litellm, python] = execFileSync(PYTHON, ['-c', script], { encoding: 'utf8' }).trim().split(' ');
  return { litellm, python };
}

/** The proxy's config: one `ollama_chat` deployment of the bench's model per upstream (base URLs of Ollama-compatible backends). */
function proxyConfig(upstreams: string[]): string {
  return stringify({
    model_list: upstreams.map((url, i) => ({
      model_name: MODEL,
      litellm_params: { model: `ollama_chat/${MODEL}`, api_base: url },
      model_info: { id: EMULATORS[i] },
    })),
    litellm_settings: { telemetry: false },
  });
}

export async function startLiteLLM(dir: string, upstreams: string[]): Promise<RunningLiteLLM> {
  checkInstalled();
  const port = await freePort();
  const config = join(dir, 'litellm.yaml');
  writeFileSync(config, proxyConfig(upstreams));
  const key = `sk-bench-${randomBytes(16).toString('hex')}`;
  const child = start('litellm', join(VENV, 'bin', 'litellm'), ['--config', config, '--host', '127.0.0.1', '--port', String(port)], {
    cwd: dir,
    env: {
      ...process.env,
      LITELLM_MASTER_KEY: key,
      LITELLM_MODE: 'PRODUCTION',
      LITELLM_LOG: 'ERROR',
      LITELLM_TELEMETRY: 'False',
      LITELLM_LOCAL_MODEL_COST_MAP: 'True',
    },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilLive(child, url, 60_000);
  return { child, url, headers: { Authorization: `Bearer ${key}` } };
}

/** LITELLM_LOG=ERROR silences uvicorn's "running on" line: ask its liveness endpoint instead. */
async function waitUntilLive(child: Child, url: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (child.proc.exitCode !== null || child.proc.signalCode !== null) throw new Error(`litellm exited before it was ready:\n${child.output()}`);
    if (Date.now() > deadline) throw new Error(`litellm not ready after ${ms} ms:\n${child.output()}`);
    const live = await fetch(new URL('/health/liveliness', url), { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
    if (live) return;
    await sleep(200);
  }
}
