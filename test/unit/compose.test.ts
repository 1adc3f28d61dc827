// docker-compose.yml and what it mounts: valid against the Compose Specification's JSON schema (no
// Docker engine on CI), only 80/443 published, every service checked and restarted, and the files it
// wires together agree: the gateway config, the paths the rendered nginx conf names, Prometheus'
// target and token, Grafana's provisioning.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { validateConfig, type LoadedConfig } from '../../config/load.ts';
import { ensureCertificate } from '../../nginx/certificate.ts';
import { renderAll } from '../../nginx/render/index.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
// Compose files use YAML anchors and merge keys (<<).
const readYaml = (path: string) => parse(read(path), { merge: true });

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  ports?: (string | { published?: string | number; host_ip?: string })[];
  volumes?: string[];
  networks?: string[] | Record<string, { aliases?: string[]; ipv4_address?: string } | null>;
  network_mode?: string;
  pid?: string;
  restart?: string;
  healthcheck?: { test: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  secrets?: (string | { source: string; target: string })[];
  environment?: Record<string, string>;
  privileged?: boolean;
  user?: string;
}
interface ComposeFile {
  services: Record<string, Service>;
  networks: Record<string, { driver?: string; external?: boolean; ipam?: { config: { subnet: string }[] } }>;
  volumes: Record<string, unknown>;
  secrets: Record<string, { file: string }>;
}

const compose = readYaml('docker-compose.yml') as ComposeFile;
const services = compose.services;
const OVERLAYS = ['deploy/compose.admin.yml', 'deploy/compose.gpu.yml'];

/** "src:target[:ro]" → { source, target } */
function mounts(service: Service): { source: string; target: string }[] {
  return (service.volumes ?? []).map((v) => {
    const [source, target] = v.split(':');
    return { source, target };
  });
}
const mountOf = (service: Service, source: string) => mounts(service).find((m) => m.source === source)?.target;

function publishedPorts(service: Service): { hostIp: string; port: number }[] {
  return (service.ports ?? []).map((p) => {
    if (typeof p === 'object') return { hostIp: p.host_ip ?? '', port: Number(p.published) };
    const parts = p.split(':');
    // "80", "80:80", "127.0.0.1:3000:3000"
    return parts.length === 3 ? { hostIp: parts[0], port: Number(parts[1]) } : { hostIp: '', port: Number(parts[0]) };
  });
}

function networksOf(service: Service): Record<string, { aliases?: string[]; ipv4_address?: string }> {
  const n = service.networks ?? {};
  return Array.isArray(n) ? Object.fromEntries(n.map((name) => [name, {}])) : Object.fromEntries(Object.entries(n).map(([k, v]) => [k, v ?? {}]));
}

/** The TLS files nginx.conf names: the configured ones (resolved, nothing made), else the pair made in runtimeDir. */
function certificatePaths(loaded: LoadedConfig) {
  if (loaded.config.tls.cert) return ensureCertificate(loaded);
  return { cert: `${loaded.runtimeDir}/certs/self-signed.crt`, key: `${loaded.runtimeDir}/certs/self-signed.key` };
}

/** Where a service gets a secret: /run/secrets/<name>, or the long syntax's target. */
function secretTarget(service: Service, name: string): string | undefined {
  for (const s of service.secrets ?? []) {
    if (s === name) return `/run/secrets/${name}`;
    if (typeof s === 'object' && s.source === name) return s.target.startsWith('/') ? s.target : `/run/secrets/${s.target}`;
  }
  return undefined;
}

/** The gateway config as the sidecar container loads it (its path there), the token file made in `dir`. */
function composeGatewayConfig(dir: string, edit: (doc: any) => void = () => {}): { loaded: LoadedConfig; tokenFile: string; token: string } {
  const doc = parse(read('gateway.compose.yaml'));
  edit(doc);
  const tokenFile = doc.observability.metricsTokenFile as string;
  const token = 'a-test-token-of-enough-length';
  writeFileSync(join(dir, 'metrics-token'), `${token}\n`);
  doc.observability.metricsTokenFile = join(dir, 'metrics-token');
  return { loaded: validateConfig(doc, services.sidecar.environment!.GATEWAY_CONFIG), tokenFile, token };
}

const URI_DIRECTIVES = new Set(['location', 'return', 'error_page', 'mirror', 'proxy_pass', 'rewrite']);

describe('docker-compose.yml', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-compose-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('it and its overlays validate against the Compose Specification schema', () => {
    const pkg = createRequire(import.meta.url).resolve('dclint/package.json');
    const { $schema, ...schema } = JSON.parse(readFileSync(join(dirname(pkg), 'schemas/compose.schema.json'), 'utf8'));
    assert.equal(schema.title, 'Compose Specification');
    // Ajv's default dialect; it knows the meta-schema by its http:// id only.
    assert.equal($schema, 'https://json-schema.org/draft-07/schema');
    // The schema is not written to Ajv's typing rules (strictTypes); its other strict checks stay on.
    const validate = new Ajv({ allErrors: true, strictTypes: false }).compile(schema);
    for (const file of ['docker-compose.yml', ...OVERLAYS]) {
      const ok = validate(readYaml(file));
      assert.ok(ok, `${file}: ${JSON.stringify(validate.errors, null, 2)}`);
    }
    // The validator does reject what the spec forbids.
    assert.equal(validate({ services: { x: { image: 'a', restart: 5 } } }), false);
    assert.equal(validate({ services: { x: { image: 'a', ports: 80 } } }), false);
  });

  test('publishes only 80 and 443, on nginx; the overlays only on the host loopback', () => {
    const published = Object.entries(services).flatMap(([name, s]) => publishedPorts(s).map((p) => `${name}:${p.port}`));
    assert.deepEqual(published.sort(), ['nginx:443', 'nginx:80']);
    for (const file of OVERLAYS) {
      for (const s of Object.values((readYaml(file) as ComposeFile).services)) {
        for (const p of publishedPorts(s)) assert.equal(p.hostIp, '127.0.0.1', `${file} publishes ${p.port} beyond loopback`);
      }
    }
  });

  test('every service has a healthcheck and a restart policy, and none is privileged', () => {
    for (const [name, s] of Object.entries(services)) {
      assert.ok(s.healthcheck?.test?.length && !s.healthcheck.disable, `${name} has a healthcheck`);
      assert.equal(s.healthcheck!.test[0], 'CMD', `${name}: exec form, no shell needed in the image`);
      assert.equal(s.restart, 'unless-stopped', `${name} restarts`);
      assert.notEqual(s.privileged, true, name);
      assert.notEqual(s.network_mode, 'host', name);
      assert.notEqual(s.pid, 'host', name);
    }
  });

  test('every service is on the private network, or in the nginx container\'s namespaces', () => {
    const [name, ...others] = Object.keys(compose.networks);
    assert.deepEqual(others, []);
    assert.equal(compose.networks[name].driver, 'bridge');
    assert.notEqual(compose.networks[name].external, true);
    for (const [svc, s] of Object.entries(services)) {
      if (s.network_mode) assert.equal(s.network_mode, 'service:nginx', svc);
      else assert.deepEqual(Object.keys(networksOf(s)), [name], svc);
    }
  });

  test('the sidecar shares nginx\'s network and pid namespaces, the runtime volume and the njs bundle', () => {
    const { nginx, sidecar } = services;
    assert.equal(sidecar.network_mode, 'service:nginx');
    assert.equal(sidecar.pid, 'service:nginx');
    assert.equal(sidecar.depends_on?.nginx?.condition, 'service_started');
    // The same path in both: the rendered conf names the conf, pid file and certificate by it.
    const run = mountOf(nginx, 'gateway-run');
    assert.ok(run);
    assert.equal(mountOf(sidecar, 'gateway-run'), run);
    // The sidecar publishes its bundle to the njs volume (entrypoint); nginx reads it where the sidecar's image has it.
    const entry = read('deploy/sidecar/entrypoint.sh');
    assert.equal(/share=\$\{GATEWAY_NJS_SHARE:-([^}]+)\}/.exec(entry)?.[1], mountOf(sidecar, 'njs'));
    assert.equal(/run_dir=\$\{GATEWAY_RUNTIME_DIR:-([^}]+)\}/.exec(entry)?.[1], run);
    assert.equal(/run_dir=\$\{GATEWAY_RUNTIME_DIR:-([^}]+)\}/.exec(read('deploy/nginx/run.sh'))?.[1], run);
  });

  test('nginx and the sidecar run as one unprivileged user, which owns the folders the volumes are mounted on', () => {
    const dockerfile = read(services.sidecar.build!.dockerfile);
    const user = [...dockerfile.matchAll(/^USER (\S+)$/gm)].pop()?.[1];
    assert.ok(user && !/^(0|root)(:|$)/.test(user), `the sidecar image runs as a non-root user (USER ${user})`);
    assert.equal(services.sidecar.user, undefined, 'the sidecar runs as its image says');
    // The sidecar signals the nginx master (nginx -s reload) across the shared pid namespace.
    assert.equal(services.nginx.user, user);
    // Empty named volumes take the owner of the folder they are mounted on in the sidecar's image.
    const chown = /chown (\S+) ([^\n]+)/.exec(dockerfile);
    assert.equal(chown?.[1], user);
    for (const volume of ['gateway-run', 'njs']) assert.ok(chown![2].split(/\s+/).includes(mountOf(services.sidecar, volume)!), volume);
    // And it runs the compiled gateway with plain node.
    assert.match(read('deploy/sidecar/gateway.sh'), /^exec node dist\/node\/cli\/main\.js "\$@"$/m);
  });

  test('the sidecar image carries the nginx that the nginx service runs', () => {
    const image = services.nginx.image!;
    assert.match(image, /^nginx:\d+\.\d+\.\d+-bookworm$/, 'the official nginx image, pinned');
    assert.equal(services.sidecar.build?.args?.NGINX_IMAGE, image);
    const dockerfile = read(services.sidecar.build!.dockerfile);
    assert.equal(/^ARG NGINX_IMAGE=(\S+)$/m.exec(dockerfile)?.[1], image);
    assert.match(dockerfile, /^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
  });

  test('the rendered nginx.conf names only paths the nginx container has', () => {
    const { nginx, sidecar } = services;
    assert.equal(mountOf(sidecar, './gateway.compose.yaml'), sidecar.environment!.GATEWAY_CONFIG);
    // As the sidecar computes them in its image (sidecar/gateway.ts renderPaths): NJS_DIR is <WORKDIR>/dist/njs.
    const workdir = [...read(sidecar.build!.dockerfile).matchAll(/^WORKDIR (\S+)$/gm)].pop()![1];
    assert.equal(mountOf(nginx, 'njs'), `${workdir}/dist/njs`);
    const jsModule = '/usr/lib/nginx/modules/ngx_http_js_module.so';
    const targets = mounts(nginx).map((m) => m.target);
    const ownCert = (doc: any) => (doc.tls = { cert: 'deploy/tls/gateway.crt', key: 'deploy/tls/gateway.key' });
    for (const edit of [() => {}, ownCert]) {
      const { loaded } = composeGatewayConfig(dir, edit);
      assert.ok(posix.isAbsolute(loaded.config.runtimeDir), 'an absolute runtimeDir: the same in both containers');
      assert.equal(loaded.runtimeDir, mountOf(nginx, 'gateway-run'));
      const tls = certificatePaths(loaded);
      const paths = { runtimeDir: loaded.runtimeDir, njsDir: `${workdir}/dist/njs`, jsModule, ...tls };
      const conf = renderAll(loaded.config, {}, paths)['nginx.conf'];
      // Absolute paths of every directive but those whose paths are URIs (and map entries, quoted).
      const files = conf
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => !URI_DIRECTIVES.has(line.split(/\s+/)[0]) && !line.startsWith('"'))
        .flatMap((line) => [...line.matchAll(/(?<=[\s"])\/[\w./-]+/g)].map((m) => m[0]))
        .filter((p) => p !== jsModule);
      assert.ok(files.includes(`${workdir}/dist/njs`) && files.includes(tls.cert) && files.includes(`${loaded.runtimeDir}/nginx.pid`), files.join(' '));
      assert.deepEqual(files.filter((p) => !targets.some((t) => p === t || p.startsWith(`${t}/`))), []);
    }
  });

  test('gateway.compose.yaml: the backends are the three Ollama services, by their fixed addresses', () => {
    const { loaded } = composeGatewayConfig(dir);
    const subnet = compose.networks.gateway.ipam!.config[0].subnet;
    const prefix = subnet.replace(/\.0\/24$/, '.');
    assert.ok(subnet.endsWith('.0/24'));
    const expected = Object.entries(services)
      .filter(([, s]) => s.image?.startsWith('ollama/ollama:'))
      .map(([name, s]) => {
        const ip = networksOf(s).gateway.ipv4_address!;
        assert.ok(ip.startsWith(prefix), `${name} is in ${subnet}`);
        assert.equal(mountOf(s, `${name}-models`), '/root/.ollama', `${name} keeps its models in a named volume`);
        assert.ok(`${name}-models` in compose.volumes);
        return { name, url: `http://${ip}:11434` };
      });
    assert.equal(expected.length, 3);
    assert.deepEqual(loaded.config.backends.map((b) => ({ name: b.name, url: b.url })), expected);
  });

  test('healthchecks probe the ports the gateway config names', () => {
    const { loaded } = composeGatewayConfig(dir);
    assert.equal(loaded.config.listen.https, 443);
    assert.ok(services.nginx.healthcheck!.test.includes('https://127.0.0.1/healthz'));
    assert.ok(services.sidecar.healthcheck!.test.includes(`http://127.0.0.1:${loaded.config.sidecar.port}/healthz`));
  });

  test('Prometheus scrapes the sidecar\'s metrics listener with the token the sidecar reads', () => {
    const { loaded, tokenFile, token } = composeGatewayConfig(dir);
    assert.equal(loaded.config.observability.metricsToken, token, 'the token comes from metricsTokenFile');
    const prom = parse(read('deploy/prometheus/prometheus.yml'));
    const job = prom.scrape_configs.find((j: { job_name: string }) => j.job_name === 'llm-gateway');
    assert.equal(job.metrics_path, '/metrics');
    assert.equal(job.authorization.type, 'Bearer');
    const [host, port] = job.static_configs[0].targets[0].split(':');
    assert.ok(networksOf(services.nginx).gateway.aliases?.includes(host), `${host} names the nginx container, whose network the sidecar shares`);
    assert.equal(port, loaded.config.observability.metricsListen!.split(':')[1]);
    // One file, the Docker secret: Prometheus reads it in /run/secrets, the sidecar where the config
    // names it (relative to the config file, in the container as in the repository).
    const [secret, ...others] = Object.keys(compose.secrets).filter((name) => compose.secrets[name].file === `./${tokenFile}`);
    assert.ok(secret && others.length === 0, `a secret made of ./${tokenFile}`);
    assert.equal(secretTarget(services.sidecar, secret), posix.join(posix.dirname(services.sidecar.environment!.GATEWAY_CONFIG), tokenFile));
    assert.equal(job.authorization.credentials_file, secretTarget(services.prometheus, secret));
    assert.equal(mountOf(services.prometheus, './deploy/prometheus/prometheus.yml'), '/etc/prometheus/prometheus.yml');
  });

  test('promtool accepts the Prometheus config', () => {
    const res = spawnSync('promtool', ['check', 'config', '--syntax-only', join(ROOT, 'deploy/prometheus/prometheus.yml')], { encoding: 'utf8' });
    assert.equal(res.error, undefined, 'promtool is installed (scripts/ensure-deps.sh installs the Debian package prometheus)');
    assert.equal(res.status, 0, res.stdout + res.stderr);
  });

  test('Grafana gets the Prometheus datasource and the dashboard folder', () => {
    const grafana = services.grafana;
    const ds = parse(read('deploy/grafana/provisioning/datasources/prometheus.yaml')).datasources;
    assert.deepEqual(ds.map((d: { type: string; url: string }) => [d.type, d.url]), [['prometheus', 'http://prometheus:9090']]);
    assert.equal(mountOf(grafana, './deploy/grafana/provisioning'), '/etc/grafana/provisioning');
    const provider = parse(read('deploy/grafana/provisioning/dashboards/llm-gateway.yaml')).providers[0];
    const dashboards = mountOf(grafana, './deploy/grafana/dashboards');
    assert.equal(provider.options.path, dashboards);
    const home = grafana.environment!.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
    assert.ok(existsSync(join(ROOT, 'deploy/grafana/dashboards', posix.relative(dashboards!, home))), home);
    assert.equal(grafana.environment!.GF_SECURITY_ADMIN_PASSWORD__FILE, secretTarget(grafana, 'grafana_admin_password'));
  });

  test('every bind-mounted file exists, and deploy/init-secrets.sh makes every secret file', () => {
    for (const s of Object.values(services)) {
      for (const { source } of mounts(s)) if (source.startsWith('./')) assert.ok(existsSync(join(ROOT, source)), source);
    }
    // Run the script on a copy: it writes beside itself.
    const deploy = join(dir, 'deploy');
    mkdirSync(join(deploy, 'secrets'), { recursive: true });
    cpSync(join(ROOT, 'deploy/init-secrets.sh'), join(deploy, 'init-secrets.sh'));
    for (let run = 0; run < 2; run++) {
      const res = spawnSync('sh', [join(deploy, 'init-secrets.sh')], { encoding: 'utf8' });
      assert.equal(res.status, 0, res.stderr);
    }
    for (const { file } of Object.values(compose.secrets)) {
      const made = join(dir, file);
      assert.match(readFileSync(made, 'utf8'), /^[0-9a-f]{64}\n$/, file);
      assert.equal(statSync(made).mode & 0o777, 0o644, `${file}: readable by the containers' own users`);
    }
  });
});
