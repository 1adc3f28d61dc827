// The Helm chart (deploy/helm/llm-gateway): `helm lint` and `helm template` with the default values and
// with every optional part on (ci/full-values.yaml), the rendered manifests checked offline against the
// Kubernetes API's Go types by deploy/validate (strict: an unknown field or a wrong type fails), the
// gateway config it renders accepted by the gateway's own schema, and the pod's promises: one pod with
// both containers sharing namespaces, truthful probes, a graceful stop within the grace period, the
// backends' API reachable from the gateway only. helm is built with Go into .tools/bin (ensure-helm.sh).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { configSchema, parseDuration } from '../../config/schema.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CHART = join(ROOT, 'deploy/helm/llm-gateway');
const FULL = join(CHART, 'ci/full-values.yaml');
const VALIDATOR = join(ROOT, '.tools/bin/validate-manifests');

function run(cmd: string, args: string[], input?: string, cwd = ROOT) {
  const r = spawnSync(cmd, args, { cwd, input, encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local' }, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
}

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
}

describe('Helm chart', () => {
  let helm = '';
  const template = (...values: string[]): { text: string; objects: K8sObject[] } => {
    const r = run(helm, ['template', 'gw', CHART, ...values.flatMap((v) => ['-f', v])]);
    assert.equal(r.status, 0, r.stderr);
    return { text: r.stdout, objects: parseAllDocuments(r.stdout).map((d) => d.toJS()).filter(Boolean) };
  };
  const validate = (text: string) => run(VALIDATOR, [], text);
  const find = (objects: K8sObject[], kind: string, name: string) => {
    const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
    assert.ok(o, `${kind} ${name}`);
    return o;
  };

  before(() => {
    const h = run('sh', ['scripts/ensure-helm.sh']);
    assert.equal(h.status, 0, h.stderr);
    helm = h.stdout.trim();
    // go build reuses its cache: seconds once built.
    const v = run('go', ['build', '-o', VALIDATOR, '.'], undefined, join(ROOT, 'deploy/validate'));
    assert.equal(v.status, 0, v.stderr);
  });

  test('helm lint passes with the default values and with every part on', () => {
    for (const values of [[], ['-f', FULL]]) {
      const r = run(helm, ['lint', '--strict', CHART, ...values]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
    }
  });

  test('the rendered manifests are valid Kubernetes objects (offline, strict), with the default values and with every part on', () => {
    const def = validate(template().text);
    assert.equal(def.status, 0, def.stdout + def.stderr);
    assert.deepEqual(JSON.parse(def.stderr), { ConfigMap: 1, Deployment: 2, HorizontalPodAutoscaler: 1, NetworkPolicy: 3, PodDisruptionBudget: 1, Secret: 1, Service: 3, StatefulSet: 1 });
    const full = validate(template(FULL).text);
    assert.equal(full.status, 0, full.stdout + full.stderr);
    assert.deepEqual(JSON.parse(full.stderr), { ConfigMap: 1, Deployment: 1, NetworkPolicy: 2, PodDisruptionBudget: 1, Secret: 2, Service: 3, ServiceMonitor: 1, StatefulSet: 1 });
  });

  test('the validator refuses an unknown field, a wrong type, a misspelt kind and a selector that misses its pods', () => {
    const base = template().text;
    const cases: [string, RegExp][] = [
      [base.replace('shareProcessNamespace: true', 'shareProcessNamespace: true\n      sharePidNamespace: true'), /unknown field "spec.template.spec.sharePidNamespace"/],
      [base.replace(/terminationGracePeriodSeconds: \d+/, 'terminationGracePeriodSeconds: two minutes'), /terminationGracePeriodSeconds/],
      [base.replace('kind: PodDisruptionBudget', 'kind: PodDisruptionBudgets'), /not a kind this validator knows/],
      [base.replace('      app.kubernetes.io/component: gateway\n  strategy:', '      app.kubernetes.io/component: web\n  strategy:'), /selector does not match/],
    ];
    for (const [text, problem] of cases) {
      assert.notEqual(text, base, `the case ${problem} changed nothing`);
      const r = validate(text);
      assert.equal(r.status, 1, `${problem}: accepted`);
      assert.match(r.stdout, problem);
    }
  });

  test('the config in the ConfigMap is a valid gateway config: the pod layout fixed, Redis shared, Ollama pods as backends', () => {
    for (const [values, backends, redis] of [
      [[], ['http://gw-ollama-0.gw-ollama:11434'], 'redis://gw-redis:6379'],
      [[FULL], ['http://gw-ollama-0.gw-ollama:11434', 'http://gw-ollama-1.gw-ollama:11434', 'https://api.openai.com'], 'rediss://redis.example:6380'],
    ] as const) {
      const cm = find(template(...values).objects, 'ConfigMap', 'gw-config');
      const parsed = configSchema.safeParse(parse(cm.data!['gateway.yaml']));
      assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
      const cfg = parsed.data!;
      assert.equal(cfg.runtimeDir, '/var/lib/llm-gateway');
      assert.deepEqual([cfg.listen.https, cfg.listen.http], [443, null]);
      assert.deepEqual(cfg.backends.map((b) => b.url), backends);
      assert.equal(cfg.redis.url, redis);
    }
  });

  test('one pod: nginx and the sidecar share network and pid namespaces, run the same image unprivileged, and probe truthfully', () => {
    const dep = find(template().objects, 'Deployment', 'gw');
    const pod = dep.spec.template.spec;
    assert.equal(pod.shareProcessNamespace, true);
    assert.deepEqual(pod.containers.map((c: any) => c.name), ['nginx', 'sidecar']);
    assert.equal(new Set(pod.containers.map((c: any) => c.image)).size, 1, 'one image: the conf is tested with the nginx that runs it');
    assert.equal(pod.securityContext.runAsNonRoot, true);
    const [nginx, sidecar] = pod.containers;
    // Ready only when nginx answers, the sidecar answers it, and a backend is healthy (/readyz).
    assert.deepEqual(nginx.readinessProbe.httpGet, { path: '/readyz', port: 'https', scheme: 'HTTPS' });
    assert.ok(nginx.livenessProbe.tcpSocket, 'alive = the nginx master accepts; a down fleet restarts nothing');
    assert.match(sidecar.livenessProbe.exec.command.join(' '), /127\.0\.0\.1:9901\/healthz/);
    assert.deepEqual(dep.spec.strategy.rollingUpdate, { maxSurge: 1, maxUnavailable: 0 });
  });

  test('a stopping pod drains and finishes its requests within the grace period; the sidecar stops after nginx', () => {
    const { objects } = template();
    const pod = find(objects, 'Deployment', 'gw').spec.template.spec;
    const [nginx, sidecar] = pod.containers;
    const stop = nginx.lifecycle.preStop.exec.command.join(' ');
    assert.match(stop, /touch \/var\/lib\/llm-gateway\/draining; sleep 5; pid=\$\(cat \/var\/lib\/llm-gateway\/nginx\.pid\) && kill -QUIT "\$pid"; while kill -0 "\$pid"/);
    assert.match(sidecar.lifecycle.preStop.exec.command.join(' '), /while \[ -f \/var\/lib\/llm-gateway\/nginx\.pid \] && kill -0/);
    const cfg = configSchema.parse(parse(find(objects, 'ConfigMap', 'gw-config').data!['gateway.yaml']));
    assert.ok(pod.terminationGracePeriodSeconds * 1000 > 5000 + cfg.nginx.workerShutdownTimeout, 'the grace period covers the drain and the longest stream');
    assert.equal(parseDuration('90s'), cfg.nginx.workerShutdownTimeout);
  });

  test('autoscaler, disruption budget, Service on 443; NetworkPolicies keep Ollama and Redis to the gateway pods', () => {
    const { objects } = template();
    assert.equal(find(objects, 'HorizontalPodAutoscaler', 'gw').spec.scaleTargetRef.name, 'gw');
    assert.equal(find(objects, 'PodDisruptionBudget', 'gw').spec.maxUnavailable, 1);
    assert.deepEqual(find(objects, 'Service', 'gw').spec.ports, [{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }]);
    const gatewayPods = find(objects, 'Deployment', 'gw').spec.template.metadata.labels;
    for (const [name, port] of [['gw-ollama', 11434], ['gw-redis', 6379]] as const) {
      const np = find(objects, 'NetworkPolicy', name);
      assert.equal(np.spec.ingress.length, 1, name);
      const from = np.spec.ingress[0].from;
      assert.equal(from.length, 1);
      for (const [k, v] of Object.entries(from[0].podSelector.matchLabels)) assert.equal(gatewayPods[k], v, `${name} admits the gateway pods`);
      assert.equal(from[0].podSelector.matchLabels['app.kubernetes.io/component'], 'gateway', 'and no other pod');
      assert.deepEqual(np.spec.ingress[0].ports, [{ port, protocol: 'TCP' }]);
    }
  });

  test('every part on: Ollama asks for GPUs, the ServiceMonitor scrapes with the token, external Redis with its password from a Secret', () => {
    const { objects } = template(FULL);
    const ollama = find(objects, 'StatefulSet', 'gw-ollama').spec;
    assert.equal(ollama.replicas, 2);
    assert.deepEqual(ollama.template.spec.containers[0].resources.limits, { 'nvidia.com/gpu': 1 });
    const sm = find(objects, 'ServiceMonitor', 'gw').spec.endpoints[0];
    assert.deepEqual(sm.authorization.credentials, { name: 'gw-metrics-token', key: 'metrics-token' });
    assert.equal(objects.some((o) => o.metadata.name === 'gw-redis'), false, 'no Redis deployed');
    const secret = find(objects, 'Secret', 'gw-secrets') as K8sObject & { stringData: Record<string, string> };
    assert.deepEqual(Object.keys(secret.stringData).sort(), ['OPENAI_API_KEY', 'REDIS_PASSWORD']);
    const sidecar = find(objects, 'Deployment', 'gw').spec.template.spec.containers[1];
    assert.deepEqual(sidecar.envFrom, [{ secretRef: { name: 'gw-secrets' } }]);
    const cm = find(objects, 'ConfigMap', 'gw-config').data!['gateway.yaml'];
    assert.doesNotMatch(cm, /sk-test|not-a-real-password|a-metrics-token/, 'no secret in the ConfigMap');
  });
});
