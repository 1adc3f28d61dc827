// config/backend-files.ts through validateConfig: backends[].apiKey (env or file) and backends[].tls.ca
// are resolved against the config file and checked when it is loaded, each problem naming its key and
// never the secret; backendSecret reads the key where it is used.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { backendSecret } from '../../config/backend-files.ts';
import { validateConfig } from '../../config/load.ts';
import { problemsOf } from './fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'gw-backend-files-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'gateway.yaml');
const hosted = (extra: object) => ({ backends: [{ name: 'openai', url: 'https://api.openai.com', kind: 'openai', ...extra }] });

function problems(doc: unknown): string[] {
  try {
    validateConfig(doc, file);
  } catch (err) {
    return (err as { problems: string[] }).problems;
  }
  throw new Error('expected the config to be rejected');
}

describe('backends[].apiKey', () => {
  test('from the environment: the variable must be set and non-empty', () => {
    delete process.env.GW_TEST_MISSING_KEY;
    assert.deepEqual(problems(hosted({ apiKey: { env: 'GW_TEST_MISSING_KEY' } })), ['backends[0].apiKey.env: the environment variable GW_TEST_MISSING_KEY is not set']);
    process.env.GW_TEST_EMPTY_KEY = ' ';
    assert.deepEqual(problems(hosted({ apiKey: { env: 'GW_TEST_EMPTY_KEY' } })), ['backends[0].apiKey.env: the environment variable GW_TEST_EMPTY_KEY is empty']);
    process.env.GW_TEST_KEY = 'sk-proj-abc_123\n';
    const { config } = validateConfig(hosted({ apiKey: { env: 'GW_TEST_KEY' } }), file);
    assert.equal(backendSecret(config.backends[0]), 'sk-proj-abc_123');
    assert.ok(!JSON.stringify(config).includes('sk-proj'), 'the secret is not kept in the config');
  });

  test('from a file, relative to the config file; an unreadable one is named', () => {
    writeFileSync(join(dir, 'openai.key'), 'sk-from-file\n', { mode: 0o600 });
    const { config } = validateConfig(hosted({ apiKey: { file: 'openai.key' } }), file);
    assert.equal(config.backends[0].apiKey?.file, join(dir, 'openai.key'));
    assert.equal(backendSecret(config.backends[0]), 'sk-from-file');
    assert.deepEqual(problems(hosted({ apiKey: { file: 'nope.key' } })), [`backends[0].apiKey.file: cannot read ${join(dir, 'nope.key')} (ENOENT)`]);
  });

  test('a key nginx could not hold in a header is refused without showing it', () => {
    writeFileSync(join(dir, 'bad.key'), 'sk-"quoted"$x');
    const [problem] = problems(hosted({ apiKey: { file: 'bad.key' } }));
    assert.match(problem, /^backends\[0\]\.apiKey\.file: .*bad\.key holds characters an API key cannot have/);
    assert.ok(!problem.includes('quoted'));
  });

  test('exactly one of env and file; no other key', () => {
    assert.deepEqual(problemsOf(hosted({ apiKey: { env: 'A', file: 'b' } })), ['backends[0].apiKey: set either env or file']);
    assert.deepEqual(problemsOf(hosted({ apiKey: {} })), ['backends[0].apiKey: set either env or file']);
    assert.match(problemsOf(hosted({ apiKey: { value: 'sk-x' } }))[0], /^backends\[0\]\.apiKey: Unrecognized key/);
    assert.match(problemsOf(hosted({ apiKey: { env: 'not a name' } }))[0], /^backends\[0\]\.apiKey\.env: an environment variable name/);
  });
});

describe('backends[].tls.ca', () => {
  test('resolved against the config file and must be readable', () => {
    writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\n');
    assert.equal(validateConfig(hosted({ tls: { ca: 'ca.pem' } }), file).config.backends[0].tls?.ca, join(dir, 'ca.pem'));
    assert.deepEqual(problems(hosted({ tls: { ca: 'missing.pem' } })), [`backends[0].tls.ca: cannot read ${join(dir, 'missing.pem')} (ENOENT)`]);
  });

  test('unreadable files are reported (not as root, which reads anything)', { skip: process.getuid?.() === 0 }, () => {
    writeFileSync(join(dir, 'locked.pem'), 'x');
    chmodSync(join(dir, 'locked.pem'), 0);
    assert.deepEqual(problems(hosted({ tls: { ca: 'locked.pem' } })), [`backends[0].tls.ca: cannot read ${join(dir, 'locked.pem')} (EACCES)`]);
  });
});
