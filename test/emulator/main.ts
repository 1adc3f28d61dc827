// Runs one emulator as its own process, for the demo and for tests that need a backend outside their process.
// Usage: npx tsx test/emulator/main.ts --name a --port 11501 [--host 127.0.0.1] [--delay 20] [--models a,b]
//   [--load-ms N] [--max-loaded-models N] [--num-parallel N] [--max-queue N] [--keep-alive-ms N] [--pull-ms N]
import { parseArgs } from 'node:util';
import { startEmulator } from './emulator.ts';
import { parseResidencyChange, SETTING_NAMES, type ResidencySettings } from './residency-settings.ts';

/** loadMs → --load-ms */
const flagOf = (setting: string) => setting.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const USAGE = `usage: main.ts --name NAME [--port N] [--host H] [--delay MS] [--models a,b] ${SETTING_NAMES.map((s) => `[--${flagOf(s)} N]`).join(' ')}`;

const { values } = parseArgs({
  options: {
    name: { type: 'string' },
    port: { type: 'string', default: '0' },
    host: { type: 'string' },
    delay: { type: 'string', default: '0' },
    models: { type: 'string' },
    ...Object.fromEntries(SETTING_NAMES.map((setting) => [flagOf(setting), { type: 'string' as const }])),
  },
});

if (!values.name) {
  console.error(USAGE);
  process.exit(2);
}

const flags = values as Record<string, string | undefined>;
let settings: ResidencySettings;
try {
  const given = SETTING_NAMES.filter((setting) => flags[flagOf(setting)] !== undefined);
  settings = parseResidencyChange(Object.fromEntries(given.map((setting) => [setting, Number(flags[flagOf(setting)])]))) as ResidencySettings;
} catch (err) {
  console.error(`${(err as Error).message}\n${USAGE}`);
  process.exit(2);
}

const emulator = await startEmulator({
  name: values.name,
  port: Number(values.port),
  ...(values.host === undefined ? {} : { host: values.host }),
  tokenDelayMs: Number(values.delay),
  ...(values.models === undefined ? {} : { models: values.models.split(',').filter(Boolean) }),
  ...settings,
});
console.log(`emulator ${emulator.name} listening on ${emulator.url}`);

const shutdown = () => void emulator.close().then(() => process.exit(0));
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
