// gateway validate | render | reload | start | sidecar | demo | keys | fleet | usage | docs
import { writeFileSync } from 'node:fs';
import { configReference } from '../config/docs.ts';
import { metricsReference } from '../sidecar/telemetry/metrics-docs.ts';
import { ConfigError, loadConfig } from '../config/load.ts';
import { NginxConfError, NginxControl } from '../nginx/control.ts';
import { renderAll } from '../nginx/render/index.ts';
import { Fleet } from '../sidecar/fleet/fleet.ts';
import { describeFleet, Gateway, renderPaths } from '../sidecar/gateway.ts';
import { PACKAGE_ROOT } from '../sidecar/package-root.ts';
import { controlRequest } from './control-client.ts';
import { runDemo } from './demo.ts';
import { fleetCommand } from './fleet.ts';
import { describeAuth, keysCommand } from './keys.ts';
import { usageCommand } from './usage.ts';

const USAGE = `usage: gateway <command> [--config FILE]
  validate   check the config file and say what is wrong
  render     validate, probe the backends, render the nginx conf and test it with nginx -t
  reload     re-read the config in the running gateway (validated and nginx -t tested first)
  start      run nginx and the sidecar in the foreground (Ctrl-C stops both)
  sidecar    run the sidecar alone; it renders the conf and signals an nginx started elsewhere
             (another container sharing its pid namespace) to reload
  demo       start three emulated Ollama backends and the gateway on https://127.0.0.1:8443
  keys       create, list, rotate, disable, enable or delete API keys (gateway keys: details)
  fleet      per backend and model: on disk, loaded, in flight, queued, pulls; pull, unload or
             delete a model on a backend (gateway fleet help: details)
  usage      spend and tokens per key or model from the usage ledger:
             [--since DATE] [--until DATE] [--by key|model] [--format table|json|csv]
             (default: this UTC month so far, by key, as a table)
  docs       regenerate docs/CONFIG.md and docs/METRICS.md from the config schema and metric definitions
The config file is --config, else $GATEWAY_CONFIG, else gateway.yaml.`;

function configFile(args: string[]): string {
  const i = args.indexOf('--config');
  return i >= 0 && args[i + 1] ? args[i + 1] : process.env.GATEWAY_CONFIG || 'gateway.yaml';
}

async function render(file: string): Promise<void> {
  const loaded = loadConfig(file);
  const fleet = new Fleet(loaded.config);
  await fleet.probeAll();
  for (const line of describeFleet(fleet)) console.log(line);
  const control = new NginxControl(loaded.config.nginx.binary, loaded.runtimeDir);
  const changed = await control.install(renderAll(loaded.config, fleet.state(), renderPaths(loaded)));
  console.log(`${changed ? 'rendered' : 'unchanged'}: ${control.confDir} (nginx -t passed)`);
}

async function reload(file: string): Promise<void> {
  const { ok, body } = await controlRequest<{ changed?: boolean }>(loadConfig(file), 'POST', '/control/reload');
  if (!ok) throw new Error(`reload refused, the running config stays:\n${body.error}`);
  console.log(body.changed ? 'reloaded' : 'no change');
}

async function start(file: string, manageNginx: boolean): Promise<void> {
  const gw = await Gateway.start(file, { manageNginx, say: console.log, logger: process.env.LOG_LEVEL ? { level: process.env.LOG_LEVEL } : undefined });
  const { listen } = gw.config;
  console.log(describeAuth(gw.config));
  if (manageNginx) console.log(`gateway listening on https://${listen.address}:${listen.https}${listen.http ? ` (http :${listen.http} redirects)` : ''}; Ctrl-C stops it`);
  else console.log(`sidecar listening on 127.0.0.1:${gw.config.sidecar.port}; nginx is to run ${gw.control.confDir}/nginx.conf`);
  const why = await new Promise<'signal' | 'nginx'>((resolve) => {
    process.once('SIGINT', () => resolve('signal'));
    process.once('SIGTERM', () => resolve('signal'));
    gw.nginx?.once('exit', () => resolve('nginx'));
  });
  // The two live and die together: without nginx the sidecar exits non-zero (a supervisor restarts both).
  if (why === 'nginx') process.exitCode = 1;
  await gw.stop();
}

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  const file = configFile(args);
  switch (command) {
    case 'validate': {
      const loaded = loadConfig(file);
      console.log(`${loaded.file}: valid (${loaded.config.backends.length} backends, strategy ${loaded.config.strategy})`);
      console.log(describeAuth(loaded.config));
      return;
    }
    case 'render':
      return render(file);
    case 'reload':
      return reload(file);
    case 'start':
      return start(file, true);
    case 'sidecar':
      return start(file, false);
    case 'demo':
      return runDemo();
    case 'keys':
      return keysCommand(args, file);
    case 'fleet':
      return fleetCommand(args, file);
    case 'usage':
      return usageCommand(args, file);
    case 'docs':
      writeFileSync(new URL('docs/CONFIG.md', PACKAGE_ROOT), configReference());
      writeFileSync(new URL('docs/METRICS.md', PACKAGE_ROOT), metricsReference());
      console.log('wrote docs/CONFIG.md and docs/METRICS.md');
      return;
    default:
      console.log(USAGE);
      if (command && command !== 'help' && command !== '--help') process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((err) => {
  if (err instanceof ConfigError || err instanceof NginxConfError) console.error(err.message);
  else console.error(`gateway: ${(err as Error).message}`);
  process.exit(1);
});
