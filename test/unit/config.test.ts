// config/schema.ts + config/load.ts: defaults, durations, readable errors, file loading.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError, formatPath, loadConfig, validateConfig } from '../../config/load.ts';
import { DEFAULT_LEGACY_REDIRECTS, parseDuration } from '../../config/schema.ts';
import { problemsOf } from './fixtures.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ONE_BACKEND = [{ name: 'local', url: 'http://127.0.0.1:11434' }];

describe('defaults', () => {
  test('a config with one backend gets every default', () => {
    const { config } = validateConfig({ backends: ONE_BACKEND }, 'gw.yaml');
    assert.deepEqual(config.listen, { address: '0.0.0.0', https: 443, http: 80 });
    assert.deepEqual(config.tls, {});
    assert.equal(config.runtimeDir, 'nginx/generated');
    assert.deepEqual(config.nginx, {
      binary: 'nginx',
      workerProcesses: 'auto',
      workerConnections: 4096,
      workerShutdownTimeout: 300_000,
      reloadDrain: 500,
      reloadStreamWait: 10_000,
      maxBodySize: '8m',
    });
    assert.deepEqual(config.sidecar, { port: 9901, failMode: 'closed', admitTimeout: 2000 });
    assert.deepEqual(config.admission, { enabled: true });
    assert.equal(config.strategy, 'least_busy');
    assert.deepEqual(config.health, { interval: 5000, hostedInterval: 60_000, timeout: 2000, unhealthyAfter: 3, healthyAfter: 2, maxFails: 1, failTimeout: 10_000 });
    assert.deepEqual(config.timeouts, { connect: 3000, firstByte: 30_000, wholeAnswer: 300_000, send: 60_000 });
    assert.deepEqual(config.retries, { tries: 3, window: 120_000 });
    assert.deepEqual(config.models, { aliases: {}, fallbacks: {}, replicas: {} });
    assert.deepEqual(config.lifecycle, { retryAfter: 30_000, retryMax: 1_800_000, stallTimeout: 300_000 });
    assert.deepEqual(config.legacyRedirects, DEFAULT_LEGACY_REDIRECTS);
  });

  test('backend defaults: kind ollama, weight 1, no limit, no static models, Ollama\'s slots and loaded models', () => {
    const { config } = validateConfig({ backends: ONE_BACKEND }, 'gw.yaml');
    assert.deepEqual(config.backends, [
      { name: 'local', url: 'http://127.0.0.1:11434', kind: 'ollama', weight: 1, slots: 4, modelSlots: {}, maxLoadedModels: 3, pull: [], keepLoaded: [] },
    ]);
  });

  test('listen.http: null disables the plain HTTP port', () => {
    const { config } = validateConfig({ backends: ONE_BACKEND, listen: { http: null } }, 'gw.yaml');
    assert.equal(config.listen.http, null);
    assert.equal(config.listen.https, 443);
  });

  test('an empty document asks for backends', () => {
    assert.deepEqual(problemsOf(null), ['backends: Invalid input: expected array, received undefined']);
    assert.match(problemsOf({ backends: [] })[0], /^backends: /);
  });
});

describe('durations', () => {
  test('parseDuration converts every unit to milliseconds', () => {
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('5s'), 5000);
    assert.equal(parseDuration('2m'), 120_000);
    assert.equal(parseDuration('1h'), 3_600_000);
    assert.equal(parseDuration('0s'), 0);
  });

  test('parseDuration rejects anything else', () => {
    for (const bad of ['5', '5 s', '1.5s', '-1s', 's', '1d', '5sec', '', ' 5s', '5S']) {
      assert.throws(() => parseDuration(bad), /invalid duration/, bad);
    }
  });

  test('durations in the config become milliseconds', () => {
    const { config } = validateConfig(
      { backends: ONE_BACKEND, health: { interval: '500ms', timeout: '1s', failTimeout: '2m' }, timeouts: { firstByte: '1h' } },
      'gw.yaml',
    );
    assert.equal(config.health.interval, 500);
    assert.equal(config.health.timeout, 1000);
    assert.equal(config.health.failTimeout, 120_000);
    assert.equal(config.timeouts.firstByte, 3_600_000);
  });

  test('a bad duration is reported under its key', () => {
    for (const bad of ['5', '5 s', '1.5s', '2d', 'soon']) {
      assert.deepEqual(problemsOf({ backends: ONE_BACKEND, health: { interval: bad } }), [
        'health.interval: expected a duration such as 500ms, 5s, 2m or 1h',
      ]);
    }
    assert.deepEqual(problemsOf({ backends: ONE_BACKEND, sidecar: { admitTimeout: 2 } }), [
      'sidecar.admitTimeout: Invalid input: expected string, received number',
    ]);
  });
});

describe('readable errors', () => {
  test('formatPath writes indexes in brackets and keys with dots', () => {
    assert.equal(formatPath(['backends', 1, 'url']), 'backends[1].url');
    assert.equal(formatPath(['models', 'aliases', 'x']), 'models.aliases.x');
    assert.equal(formatPath([]), '(root)');
  });

  test('an invalid URL names the backend by index', () => {
    const backends = [ONE_BACKEND[0], { name: 'b', url: 'not a url' }];
    assert.deepEqual(problemsOf({ backends }), ['backends[1].url: Invalid URL']);
  });

  test('only http and https URLs without a path are accepted', () => {
    assert.deepEqual(problemsOf({ backends: [{ name: 'a', url: 'ftp://10.0.0.1' }] }), ['backends[0].url: Invalid URL']);
    assert.deepEqual(problemsOf({ backends: [{ name: 'a', url: 'http://10.0.0.1:11434/v1' }] }), [
      'backends[0].url: the URL must have no path or query',
    ]);
    assert.deepEqual(problemsOf({ backends: [{ name: 'a', url: 'http://10.0.0.1:11434/?x=1' }] }), [
      'backends[0].url: the URL must have no path or query',
    ]);
    const { config } = validateConfig({ backends: [{ name: 'a', url: 'http://10.0.0.1:11434/' }, { name: 'b', url: 'https://api.example.com' }] }, 'gw.yaml');
    assert.equal(config.backends[0].url, 'http://10.0.0.1:11434/');
    assert.equal(config.backends[1].url, 'https://api.example.com');
  });

  test('duplicate backend names', () => {
    const backends = [
      { name: 'a', url: 'http://10.0.0.1:11434' },
      { name: 'b', url: 'http://10.0.0.2:11434' },
      { name: 'a', url: 'http://10.0.0.3:11434' },
    ];
    assert.deepEqual(problemsOf({ backends }), ['backends[2].name: duplicate backend name "a"']);
  });

  test('backend names and model names are restricted', () => {
    assert.match(problemsOf({ backends: [{ name: 'GPU A', url: 'http://10.0.0.1' }] })[0], /^backends\[0\]\.name: use lowercase letters/);
    assert.deepEqual(problemsOf({ backends: ONE_BACKEND, models: { aliases: { 'x': 'bad model"' } } }), ['models.aliases.x: not a valid model name']);
  });

  test('tls cert without key (and key without cert)', () => {
    assert.deepEqual(problemsOf({ backends: ONE_BACKEND, tls: { cert: 'c.pem' } }), ['tls: set both cert and key, or neither']);
    assert.deepEqual(problemsOf({ backends: ONE_BACKEND, tls: { key: 'k.pem' } }), ['tls: set both cert and key, or neither']);
    const { config } = validateConfig({ backends: ONE_BACKEND, tls: { cert: 'c.pem', key: 'k.pem' } }, 'gw.yaml');
    assert.deepEqual(config.tls, { cert: 'c.pem', key: 'k.pem' });
  });

  test('an alias to itself', () => {
    assert.deepEqual(problemsOf({ backends: ONE_BACKEND, models: { aliases: { 'llama3.2:1b': 'llama3.2:1b' } } }), [
      'models.aliases.llama3.2:1b: alias points to itself',
    ]);
  });

  test('http port equal to https', () => {
    assert.deepEqual(problemsOf({ backends: ONE_BACKEND, listen: { https: 8443, http: 8443 } }), ['listen.http: must differ from listen.https']);
    assert.deepEqual(problemsOf({ backends: ONE_BACKEND, listen: { http: 443 } }), ['listen.http: must differ from listen.https']);
  });

  test('model lifecycle: only ollama backends pull or keep models loaded, within their loaded models, and replicas fit the fleet', () => {
    const vllm = { name: 'v', url: 'http://10.0.0.2:8000', kind: 'openai' };
    assert.deepEqual(problemsOf({ backends: [{ ...vllm, pull: ['m:1'], keepLoaded: ['m:1'] }] }), [
      'backends[0].pull: only ollama backends can pull and load models',
      'backends[0].keepLoaded: only ollama backends can pull and load models',
    ]);
    assert.deepEqual(problemsOf({ backends: [{ ...ONE_BACKEND[0], maxLoadedModels: 1, keepLoaded: ['m:1', 'n:1'] }] }), [
      'backends[0].keepLoaded: 2 models kept loaded, more than maxLoadedModels (1)',
    ]);
    assert.deepEqual(problemsOf({ backends: [...ONE_BACKEND, vllm], models: { replicas: { 'm:1': 2 } } }), ['models.replicas.m:1: 2 replicas, but only 1 ollama backends']);
    assert.deepEqual(problemsOf({ backends: ONE_BACKEND, models: { replicas: { 'm:1': 0 } } }).length, 1);
    const { config } = validateConfig({ backends: [{ ...ONE_BACKEND[0], pull: ['m:1'], keepLoaded: ['m:1'] }], models: { replicas: { 'm:1': 1 } } }, 'gw.yaml');
    assert.deepEqual([config.backends[0].pull, config.backends[0].keepLoaded, config.models.replicas], [['m:1'], ['m:1'], { 'm:1': 1 }]);
  });

  test('provider kinds: anthropic and azure need a key; azure its api-version and deployments; the others neither', () => {
    process.env.GW_CONFIG_TEST_KEY = 'sk-test';
    const key = { env: 'GW_CONFIG_TEST_KEY' };
    assert.deepEqual(problemsOf({ backends: [{ name: 'c', url: 'https://api.anthropic.com', kind: 'anthropic' }] }), ['backends[0].apiKey: required for kind anthropic']);
    assert.deepEqual(problemsOf({ backends: [{ name: 'az', url: 'https://x.openai.azure.com', kind: 'azure', apiKey: key }] }), [
      'backends[0].apiVersion: required for kind azure (the api-version query parameter)',
      'backends[0].deployments: kind azure serves the models named here: map at least one model to its deployment',
    ]);
    assert.deepEqual(problemsOf({ backends: [{ ...ONE_BACKEND[0], apiVersion: '1', deployments: { m: 'd' } }] }), [
      'backends[0].deployments: only azure backends have deployments',
      'backends[0].apiVersion: only anthropic and azure backends take an API version',
    ]);
    const { config } = validateConfig(
      {
        backends: [
          { name: 'c', url: 'https://api.anthropic.com', kind: 'anthropic', apiKey: key },
          { name: 'az', url: 'https://x.openai.azure.com', kind: 'azure', apiKey: key, apiVersion: '2024-10-21', deployments: { 'gpt-4o': 'gpt4o-prod' } },
        ],
      },
      'gw.yaml',
    );
    assert.deepEqual([config.backends[0].apiVersion, config.backends[1].deployments], [undefined, { 'gpt-4o': 'gpt4o-prod' }]);
  });

  test('several problems are all listed, and the error message carries the file name', () => {
    try {
      validateConfig(
        { backends: [ONE_BACKEND[0], { name: 'b', url: 'nope' }], health: { interval: '5' }, strategy: 'random' },
        'conf/gw.yaml',
      );
      assert.fail('expected a ConfigError');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.file, 'conf/gw.yaml');
      assert.equal(err.problems.length, 3);
      assert.ok(err.problems.includes('backends[1].url: Invalid URL'));
      assert.ok(err.problems.includes('health.interval: expected a duration such as 500ms, 5s, 2m or 1h'));
      assert.ok(err.problems.some((p) => p.startsWith('strategy: ')));
      assert.match(err.message, /^conf\/gw\.yaml: invalid configuration\n {2}- /);
      assert.ok(err.message.includes('\n  - backends[1].url: Invalid URL'));
    }
  });
});

describe('loadConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a missing file is a ConfigError that says it cannot be read', () => {
    const file = join(dir, 'missing.yaml');
    assert.throws(
      () => loadConfig(file),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.file, file);
        assert.deepEqual(err.problems, ['cannot read the file (ENOENT)']);
        assert.ok(err.message.startsWith(`${file}: `));
        return true;
      },
    );
  });

  test('invalid YAML is a ConfigError with the parser\'s first line', () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'backends:\n  - name: a\n    url: [unclosed\n');
    assert.throws(
      () => loadConfig(file),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.problems.length, 1);
        assert.match(err.problems[0], /^not valid YAML: \S/);
        assert.ok(!err.problems[0].includes('\n'), 'one line');
        return true;
      },
    );
  });

  test('an empty file asks for backends', () => {
    const file = join(dir, 'empty.yaml');
    writeFileSync(file, '');
    assert.throws(() => loadConfig(file), (err: unknown) => err instanceof ConfigError && err.problems[0].startsWith('backends: '));
  });

  test('runtimeDir is resolved against the config file\'s folder, and the file made absolute', () => {
    writeFileSync(join(dir, 'rel.yaml'), 'runtimeDir: ../var/gw\nbackends:\n  - name: a\n    url: http://127.0.0.1:11434\n');
    const loaded = loadConfig(join(dir, 'rel.yaml'));
    assert.equal(loaded.file, join(dir, 'rel.yaml'));
    assert.equal(loaded.runtimeDir, resolve(dir, '../var/gw'));

    writeFileSync(join(dir, 'abs.yaml'), 'runtimeDir: /srv/gw\nbackends:\n  - name: a\n    url: http://127.0.0.1:11434\n');
    assert.equal(loadConfig(join(dir, 'abs.yaml')).runtimeDir, '/srv/gw');

    const relative = validateConfig({ backends: ONE_BACKEND }, 'some/dir/gw.yaml');
    assert.equal(relative.file, resolve('some/dir/gw.yaml'));
    assert.equal(relative.runtimeDir, resolve('some/dir/nginx/generated'));
  });

  test('GATEWAY_CONFIG names the default file', () => {
    const file = join(dir, 'env.yaml');
    writeFileSync(file, 'backends:\n  - name: env\n    url: http://127.0.0.1:11434\n');
    const saved = process.env.GATEWAY_CONFIG;
    process.env.GATEWAY_CONFIG = file;
    try {
      assert.equal(loadConfig().config.backends[0].name, 'env');
    } finally {
      if (saved === undefined) delete process.env.GATEWAY_CONFIG;
      else process.env.GATEWAY_CONFIG = saved;
    }
  });

  test('the shipped gateway.yaml validates', () => {
    const loaded = loadConfig(join(ROOT, 'gateway.yaml'));
    assert.ok(loaded.config.backends.length >= 1);
    assert.equal(loaded.runtimeDir, join(ROOT, 'nginx/generated'));
  });

  test('examples/demo.yaml validates, with its runtime dir under var/demo', () => {
    const loaded = loadConfig(join(ROOT, 'examples/demo.yaml'));
    assert.deepEqual(loaded.config.backends.map((b) => b.name), ['gpu-a', 'gpu-b', 'gpu-c']);
    assert.equal(loaded.runtimeDir, join(ROOT, 'var/demo'));
    assert.equal(loaded.config.health.interval, 2000);
    assert.deepEqual(loaded.config.models.aliases, { 'gpt-4o-mini': 'llama3.2:1b' });
  });
});

describe('observability.metricsTokenFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-token-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const doc = (tokenFile: string) => ({ backends: ONE_BACKEND, observability: { metricsListen: '0.0.0.0:9464', metricsTokenFile: tokenFile } });

  test('gives metricsToken from the file, relative to the config file, trimmed', () => {
    writeFileSync(join(dir, 'token'), 'abcdefghijklmnop0123\n');
    const { config } = validateConfig(doc('token'), join(dir, 'gw.yaml'));
    assert.equal(config.observability.metricsToken, 'abcdefghijklmnop0123');
  });

  test('an unreadable or short token is a config error naming the key', () => {
    assert.throws(() => validateConfig(doc('missing'), join(dir, 'gw.yaml')), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.problems[0], /^observability\.metricsTokenFile: cannot read .*missing \(ENOENT\)$/);
      return true;
    });
    writeFileSync(join(dir, 'short'), 'short\n');
    assert.throws(() => validateConfig(doc('short'), join(dir, 'gw.yaml')), /fewer than 16 characters/);
  });

  test('without it or metricsToken a non-loopback listener is refused', () => {
    assert.deepEqual(problemsOf({ backends: ONE_BACKEND, observability: { metricsListen: '0.0.0.0:9464' } }), [
      'observability.metricsToken: required when /metrics listens on 0.0.0.0:9464 (not loopback)',
    ]);
  });
});

describe('redis', () => {
  const load = (redis: unknown, extra: object = {}) => validateConfig({ backends: ONE_BACKEND, redis, ...extra }, '/etc/gw/gateway.yaml').config.redis;

  test('off by default; redis://, rediss:// and sentinel:// URLs are accepted; a CA is resolved beside the config', () => {
    assert.equal(load(undefined).url, null);
    assert.equal(load(undefined).onUnavailable, 'local');
    for (const url of ['redis://127.0.0.1:6379', 'redis://:secret@redis:6379/2', 'rediss://redis.example:6380', 'sentinel://s1:26379,s2:26379/gateway']) assert.equal(load({ url }).url, url);
    assert.equal(load({ url: 'rediss://redis:6380', ca: 'redis-ca.pem' }).ca, '/etc/gw/redis-ca.pem');
  });

  test('other URLs, a sentinel URL without a master name, and shared limits without admission are refused', () => {
    assert.match(problemsOf({ backends: ONE_BACKEND, redis: { url: 'http://redis:6379' } })[0], /^redis\.url: expected redis:\/\//);
    assert.match(problemsOf({ backends: ONE_BACKEND, redis: { url: 'sentinel://s1:26379' } })[0], /^redis\.url: /);
    assert.deepEqual(problemsOf({ backends: ONE_BACKEND, redis: { url: 'redis://r:6379' }, admission: { enabled: false } }), ['redis.url: needs admission.enabled: shared limits are checked on /_admit']);
  });
});
