// Runs one emulator as its own process, for the demo and for tests that need a backend outside their process.
// Usage: npx tsx test/emulator/main.ts --name a --port 11501 [--host 127.0.0.1] [--delay 20] [--models a,b]
import { parseArgs } from 'node:util';
import { startEmulator } from './emulator.ts';

const { values } = parseArgs({
  options: {
    name: { type: 'string' },
    port: { type: 'string', default: '0' },
    host: { type: 'string' },
    delay: { type: 'string', default: '0' },
    models: { type: 'string' },
  },
});

if (!values.name) {
  console.error('usage: main.ts --name NAME [--port N] [--host H] [--delay MS] [--models a,b]');
  process.exit(2);
}

const emulator = await startEmulator({
  name: values.name,
  port: Number(values.port),
  ...(values.host === undefined ? {} : { host: values.host }),
  tokenDelayMs: Number(values.delay),
  ...(values.models === undefined ? {} : { models: values.models.split(',').filter(Boolean) }),
});
console.log(`emulator ${emulator.name} listening on ${emulator.url}`);

const shutdown = () => void emulator.close().then(() => process.exit(0));
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
