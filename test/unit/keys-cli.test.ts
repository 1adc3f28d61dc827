// cli/keys.ts: `gateway keys ...` edits the config file (comments kept, result validated), stores only
// the SHA-256 of a secret, and prints the secret once.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { addKey, changeKey, deleteKey, describeAuth, hashSecret, newSecret } from '../../cli/keys.ts';
import { ConfigError } from '../../config/load.ts';
import { makeConfig } from './fixtures.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FILE = '/tmp/keys-test.yaml';
const BASE = `# The gateway's config.
backends:
  - name: local # the only one
    url: http://127.0.0.1:11434
`;
const H = (c: string) => `sha256:${c.repeat(64)}`;

test('a secret: "gw-" and 32 random bytes in base64url; its hash is "sha256:" + hex', () => {
  const a = newSecret();
  assert.match(a, /^gw-[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, newSecret());
  assert.equal(hashSecret(a), `sha256:${createHash('sha256').update(a).digest('hex')}`);
});

describe('editing the config', () => {
  test('addKey appends an entry with the given fields and keeps the comments', () => {
    const text = addKey(BASE, FILE, 'alice', H('a'), { models: ['llama*'], requestsPerMinute: 60, maxConcurrent: 2, tokensPerMinute: 5000, label: "Alice's app" });
    assert.ok(text.startsWith("# The gateway's config.\n"));
    assert.match(text, /- name: local # the only one/);
    assert.deepEqual(parse(text).auth.keys, [{ id: 'alice', hash: H('a'), label: "Alice's app", models: ['llama*'], requestsPerMinute: 60, maxConcurrent: 2, tokensPerMinute: 5000 }]);
    const two = addKey(text, FILE, 'bob', H('b'));
    assert.deepEqual(parse(two).auth.keys.map((k: { id: string }) => k.id), ['alice', 'bob']);
  });

  test('an empty flow list ("keys: []") becomes a block list', () => {
    const text = addKey(`${BASE}auth:\n  enabled: true\n  keys: []\n`, FILE, 'alice', H('a'));
    assert.match(text, /auth:\n {2}enabled: true\n {2}keys:\n {4}- id: alice\n {6}hash: sha256:a{64}\n/);
  });

  test('the result is validated as the gateway would load it', () => {
    const text = addKey(BASE, FILE, 'alice', H('a'));
    assert.throws(() => addKey(text, FILE, 'alice', H('b')), (err: unknown) => err instanceof ConfigError && err.problems.includes('auth.keys[1].id: duplicate key id "alice"'));
    assert.throws(() => addKey(text, FILE, 'Bad Id', H('c')), ConfigError);
    assert.throws(() => addKey(`${BASE}admission:\n  enabled: false\n`, FILE, 'k', H('c'), { tokensPerMinute: 10 }), /needs admission\.enabled/);
  });

  test('rotate, disable, enable and delete change only that key', () => {
    let text = addKey(addKey(BASE, FILE, 'alice', H('a')), FILE, 'bob', H('b'));
    text = changeKey(text, FILE, 'alice', { hash: H('c') });
    text = changeKey(text, FILE, 'bob', { enabled: false });
    assert.deepEqual(parse(text).auth.keys, [{ id: 'alice', hash: H('c') }, { id: 'bob', hash: H('b'), enabled: false }]);
    text = changeKey(text, FILE, 'bob', { enabled: true });
    assert.deepEqual(parse(text).auth.keys[1], { id: 'bob', hash: H('b') });
    text = deleteKey(text, FILE, 'alice');
    assert.deepEqual(parse(text).auth.keys, [{ id: 'bob', hash: H('b') }]);
    assert.throws(() => deleteKey(text, FILE, 'alice'), /no key "alice"/);
    assert.throws(() => changeKey(BASE, FILE, 'bob', { enabled: false }), /no key "bob"/);
  });
});

test('describeAuth: the start-up line', () => {
  const backends = [{ name: 'a', url: 'http://10.0.0.1:11434' }];
  assert.match(describeAuth(makeConfig({ backends })), /^auth: on, 0 keys: every request gets 401; create one with `npm run gateway -- keys create <id>`$/);
  assert.equal(describeAuth(makeConfig({ backends, auth: { keys: [{ id: 'a', hash: H('a') }, { id: 'b', hash: H('b'), enabled: false }] } })), 'auth: on, 2 keys (1 disabled)');
  assert.match(describeAuth(makeConfig({ backends, auth: { enabled: false } })), /^auth: OFF/);
});

describe('gateway keys (the command)', () => {
  let dir: string;
  let file: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gw-keys-'));
    file = join(dir, 'gateway.yaml');
    writeFileSync(file, BASE);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const gateway = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/main.ts'), 'keys', ...args, '--config', file], { cwd: ROOT, encoding: 'utf8' });

  test('create prints the secret once and stores its hash; list shows no secret or hash', () => {
    const run = gateway('create', 'team-a', '--models', 'llama*,qwen2.5:*', '--rpm', '60', '--concurrency', '2', '--label', 'Team A');
    assert.equal(run.status, 0, run.stderr);
    const secret = /^ {2}(gw-\S+)$/m.exec(run.stdout)?.[1];
    assert.ok(secret, run.stdout);
    const stored = readFileSync(file, 'utf8');
    assert.ok(!stored.includes(secret), 'the secret is not stored');
    assert.deepEqual(parse(stored).auth.keys, [{ id: 'team-a', hash: hashSecret(secret), label: 'Team A', models: ['llama*', 'qwen2.5:*'], requestsPerMinute: 60, maxConcurrent: 2 }]);

    const list = gateway('list');
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /^id +enabled +models +rpm +burst +concurrent +tpm +label\nteam-a +yes +llama\*,qwen2\.5:\* +60 +0 +2 +- +Team A\n$/);
    assert.ok(!list.stdout.includes('sha256'));
  });

  test('bad input is refused with the reason, and the file stays as it was', () => {
    const before = readFileSync(file, 'utf8');
    const dup = gateway('create', 'team-a');
    assert.equal(dup.status, 1);
    assert.match(dup.stderr, /duplicate key id "team-a"/);
    const rpm = gateway('create', 'team-b', '--rpm', 'lots');
    assert.match(rpm.stderr, /--rpm expects a whole number/);
    assert.equal(gateway('rotate').status, 2, 'usage');
    assert.equal(readFileSync(file, 'utf8'), before);
  });
});
