// `npm run demo`: the whole path on one machine, no GPU: three emulated Ollama backends and the
// gateway in front of them.
import { fileURLToPath } from 'node:url';
import { startEmulator, type Emulator } from '../test/emulator/emulator.ts';
import { Gateway } from '../sidecar/gateway.ts';
import { PACKAGE_ROOT } from '../sidecar/package-root.ts';

const DEMO_CONFIG = fileURLToPath(new URL('examples/demo.yaml', PACKAGE_ROOT));

export async function runDemo(): Promise<void> {
  const emulators: Emulator[] = [];
  for (const [i, name] of ['gpu-a', 'gpu-b', 'gpu-c'].entries()) {
    emulators.push(await startEmulator({ name, port: 11501 + i, tokenDelayMs: 40 }));
  }
  console.log(`emulated backends: ${emulators.map((e) => `${e.name} ${e.url}`).join(', ')}`);
  const gw = await Gateway.start(DEMO_CONFIG, { say: console.log, logger: { level: process.env.LOG_LEVEL ?? 'warn' } });
  console.log(`
gateway ready on https://127.0.0.1:8443 (self-signed certificate). Try:
  curl -k https://127.0.0.1:8443/v1/models
  curl -k https://127.0.0.1:8443/v1/chat/completions -H 'Content-Type: application/json' \\
    -d '{"model":"llama3.2:1b","messages":[{"role":"user","content":"Hello"}],"stream":true}'
  curl -k https://127.0.0.1:8443/api/generate -d '{"model":"gpt-4o-mini","prompt":"Hi"}'
Ctrl-C stops everything.`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await gw.stop();
  await Promise.all(emulators.map((e) => e.close()));
}
