// Secrets scanner: true positives per provider (synthetic strings shaped like each rule's tokens —
// never real secrets), false positives that must stay clean, allowlists, redaction modes, overlapping
// findings, and the time taken on large inputs.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { ScanContext } from '../../sidecar/guard/scanner.ts';
import { createSecretsScanner, redact, redactionSpans } from '../../sidecar/guard/scanners/secrets.ts';
import { __testing as engineTesting, scanSecrets, WINDOW } from '../../sidecar/guard/secrets/engine.ts';
import { __testing as heuristicsTesting } from '../../sidecar/guard/secrets/heuristics.ts';
import { InputGuard } from '../../sidecar/guard/input-guard.ts';
import { makeConfig } from './fixtures.ts';
import { seededRandom as rng } from '../../scripts/seeded-random.ts';

const ctx: ScanContext = { lang: 'en', direction: 'input' };

// Deterministic pseudo-random strings (mulberry32), so the synthetic tokens have realistic entropy.
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';
function rand(n: number, alphabet = ALNUM, seed = n * 7919 + alphabet.length): string {
  const r = rng(seed);
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(r() * alphabet.length)];
  return s;
}
const DIGITS = '0123456789';
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function ruleIds(text: string): string[] {
  return [...new Set(scanSecrets(text).findings.map((f) => f.ruleId))].sort();
}

function secretsOf(text: string): string[] {
  return scanSecrets(text).findings.map((f) => f.secret);
}

// ---- true positives ----------------------------------------------------------------------------

const awsKeyId = 'AKIA' + rand(16, B32, 11);
const awsSecret = rand(40, ALNUM + '/+', 12);
const ghp = 'ghp_' + rand(36, ALNUM, 13);
const ghFine = 'github_pat_' + rand(82, ALNUM + '_', 14);
const slackBot = `xoxb-${rand(12, DIGITS, 15)}-${rand(13, DIGITS, 16)}-${rand(24, ALNUM, 17)}`;
const slackUser = `xoxp-${rand(12, DIGITS, 18)}-${rand(12, DIGITS, 19)}-${rand(12, DIGITS, 20)}-${rand(32, HEX, 21)}`;
const slackWebhook = `https://hooks.slack.com/services/T${rand(10, B32, 22)}/B${rand(10, B32, 23)}/${rand(24, ALNUM, 24)}`;
const stripe = 'sk_live_' + rand(24, ALNUM, 26);
const openaiProj = 'sk-proj-' + rand(74, ALNUM + '_-', 27) + 'T3BlbkFJ' + rand(74, ALNUM + '_-', 28);
const openaiLegacy = 'sk-' + rand(20, ALNUM, 29) + 'T3BlbkFJ' + rand(20, ALNUM, 30);
const googleKey = 'AIza' + rand(35, ALNUM + '_-', 31);
const pemBody = Array.from({ length: 6 }, (_, i) => rand(64, ALNUM + '+/', 40 + i)).join('\n');
const pem = `-----BEGIN RSA PRIVATE KEY-----\n${pemBody}\n-----END RSA PRIVATE KEY-----`;
const b64url = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: '1234567890', name: 'Test User', iat: 1516239022 })}.${rand(43, ALNUM + '_-', 32)}`;

const positives: [string, string, string, string][] = [
  // [what, text, expected rule id, expected secret]
  ['AWS access key id', `aws configure set aws_access_key_id ${awsKeyId}`, 'aws-access-token', awsKeyId],
  ['AWS secret access key', `aws_secret_access_key = "${awsSecret}"`, 'generic-api-key', awsSecret],
  ['GitHub classic PAT', `git clone https://${ghp}@github.com/acme/repo.git`, 'github-pat', ghp],
  ['GitHub fine-grained PAT', `export GH_TOKEN=${ghFine}`, 'github-fine-grained-pat', ghFine],
  ['Slack bot token', `SLACK_BOT=${slackBot}`, 'slack-bot-token', slackBot],
  ['Slack user token', `token: ${slackUser}`, 'slack-user-token', slackUser],
  ['Slack webhook', `curl -X POST ${slackWebhook} -d @msg.json`, 'slack-webhook-url', slackWebhook],
  ['Stripe live key', `Stripe.apiKey = "${stripe}";`, 'stripe-access-token', stripe],
  ['OpenAI project key', `OPENAI_API_KEY=${openaiProj}`, 'openai-api-key', openaiProj],
  ['OpenAI legacy key', `client = OpenAI(api_key="${openaiLegacy}")`, 'openai-api-key', openaiLegacy],
  ['Google API key', `<script src="https://maps.googleapis.com/maps/api/js?key=${googleKey}"></script>`, 'gcp-api-key', googleKey],
  ['private key PEM block', `here is my key:\n${pem}\nthanks`, 'private-key', pem],
  ['JWT', `Authorization: Bearer ${jwt}`, 'jwt', jwt],
  ['generic password assignment', `db_password = "${rand(16, ALNUM, 33)}"`, 'generic-api-key', rand(16, ALNUM, 33)],
  ['generic secret in YAML', `client_secret: ${rand(32, ALNUM, 34)}`, 'generic-api-key', rand(32, ALNUM, 34)],
  // beyond gitleaks
  ['password with punctuation', 'DB_PASSWORD=Tr0ub4dor&3xK9q!', 'password-assignment', 'Tr0ub4dor&3xK9q!'],
  ['hex token in prose', `the deploy token is ${rand(40, HEX, 35)} use it`, 'high-entropy-secret', rand(40, HEX, 35)],
  ['base64 token in prose', `my api key is ${rand(40, ALNUM + '+/', 36)}, keep it safe`, 'high-entropy-secret', rand(40, ALNUM + '+/', 36)],
  ['standalone random token', `please use ${rand(48, ALNUM, 37)} for the request`, 'high-entropy-token', rand(48, ALNUM, 37)],
];

for (const [what, text, rule, secret] of positives) {
  test(`detects ${what}`, () => {
    const { findings } = scanSecrets(text);
    const f = findings.find((x) => x.ruleId === rule);
    assert.ok(f, `${rule} not found in ${JSON.stringify(text)}; got ${JSON.stringify(findings.map((x) => x.ruleId))}`);
    assert.equal(f.secret, secret);
    assert.equal(text.slice(f.start, f.end), secret);
    const r = createSecretsScanner({ redactMode: 'all' }).scan(text, ctx);
    assert.equal(r.flagged, true);
    assert.equal(r.score, 1);
    assert.match(r.reason!, new RegExp(rule));
    assert.ok(!r.redacted!.includes(secret), 'secret left in the redacted text');
  });
}

// ---- false positives ---------------------------------------------------------------------------

const clean: [string, string][] = [
  ['UUIDs', 'Request 123e4567-e89b-12d3-a456-426614174000 failed; retry with id f47ac10b-58cc-4372-a567-0e02b2c3d479.'],
  ['ordinary prose', 'The key to a good secret santa is a password-free sign-up page. Tokens of appreciation are welcome; access is open to all.'],
  ['SHA-256 in a sentence', 'The SHA-256 of the release tarball is 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, verify it before installing.'],
  ['git commit SHA', 'Fixed in commit 3f2a7c9e1b4d6f8a0c2e4b6d8f0a1c3e5b7d9f1a (see the changelog).'],
  ['hashes in a code block', '```\n$ sha256sum dist/app.js\n2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae  dist/app.js\n$ git log -1 --format=%H\n8d5e957f297893487bd98fa830fa6413\n```'],
  [
    'code without secrets',
    [
      'import { readFileSync } from "node:fs";',
      'const password = process.env.DB_PASSWORD;',
      'const apiKey = config.get("apiKey");',
      'function getConfigFileNameForFileFromCache(key: string): string | undefined {',
      '  return cache.get(key)?.AbstractSingletonProxyFactoryBeanName;',
      '}',
      'const token = await auth.getAccessToken();',
      'if (secret === undefined) throw new Error("missing secret");',
    ].join('\n'),
  ],
  ['emoji', 'Deployed 🚀🚀🚀 — all green ✅ 🔑 keys rotated 🔐, thanks team 🙏🏽 👩🏽‍💻'],
  ['paths and identifiers', 'See src/components/HeaderNavigationBar/index.tsx and node_modules/typescript/lib/lib.es2015.d.ts; TestUserAccountFactory2024Version3Build17.'],
  ['URLs', 'Docs: https://github.com/gitleaks/gitleaks/blob/master/config/gitleaks.toml and https://example.com/a/b/c?page=2'],
  ['package integrity hash', '"integrity": "sha512-Q0Re8rPbIW2yE1qCKXMZC8Z4yx7Vp6GyH8HRF1VT1j9q8Z7N3B4DHXb1Lr0vY3EvH+8R4b/9X2Q5c4MYG0e2Xw=="'],
  ['SSH public key', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@laptop'],
  ['base64 of plain text', 'Decode this: VGhpcyBpcyBqdXN0IGEgcGxhaW4gc2VudGVuY2UgaW4gYmFzZTY0Lg=='],
  ['placeholders', 'api_key = "your_api_key_here"\nsecret: ${SECRET_VALUE}\npassword = "<password>"\ntoken = "{{ .Values.token }}"'],
  ['non-Latin prose', '请不要在这里粘贴您的密码或密钥。Пожалуйста, не вставляйте сюда свой пароль. パスワードを共有しないでください。'],
];

for (const [what, text] of clean) {
  test(`does not flag ${what}`, () => {
    assert.deepEqual(ruleIds(text), []);
    const r = createSecretsScanner({ redactMode: 'all' }).scan(text, ctx);
    assert.equal(r.flagged, false);
    assert.equal(r.score, 0);
    assert.equal(r.redacted, text);
  });
}

// ---- allowlists (gitleaks' own) ----------------------------------------------------------------

test("the AWS rule's allowlist lets documentation keys through (…EXAMPLE)", () => {
  assert.deepEqual(ruleIds('aws_access_key_id AKIAIOSFODNN7EXAMPLE'), []);
});

test("the GCP rule's allowlist lets its published example keys through, and the heuristics respect that", () => {
  assert.deepEqual(ruleIds('maps key AIzaSyabcdefghijklmnopqrstuvwxyz1234567 in the docs'), []);
  assert.deepEqual(ruleIds('see AIzaSyAnLA7NfeLquW1tJFpx_eQCxoX-oo6YyIs in the sample'), []);
});

test("generic-api-key's allowlists: letters-only values, stopwords, non-secret names", () => {
  assert.deepEqual(ruleIds('api_key = "some_placeholder_value"'), []); // ^[a-zA-Z_.-]+$
  assert.deepEqual(ruleIds(`secret = "example${rand(12, ALNUM, 50)}"`), []); // stopword "example"
  assert.deepEqual(ruleIds(`primary_key = ${rand(20, ALNUM, 51)}`), []); // "primary_key" on the match
  assert.deepEqual(ruleIds(`RUN --mount=type=secret,id=npm_token=${rand(20, ALNUM, 52)} npm ci`), []); // regexTarget = line
});

test('the global allowlist: stopwords and placeholder shapes', () => {
  assert.deepEqual(ruleIds(`token = "abcdefghijklmnopqrstuvwxyz${rand(6, DIGITS, 53)}"`), []); // global stopword
  assert.deepEqual(ruleIds('password = "${DB_PASSWORD_FROM_ENV}"'), []); // ^\$\{…\}$ (password heuristic too)
});

test('the gitleaks:allow comment does not switch the guard off', () => {
  assert.deepEqual(ruleIds(`${ghp} # gitleaks:allow`), ['github-pat']);
});

// ---- redaction ---------------------------------------------------------------------------------

test('redact mode all', () => {
  const text = `key one ${ghp} and stripe ${stripe} done`;
  const r = createSecretsScanner({ redactMode: 'all' }).scan(text, ctx);
  assert.equal(r.redacted, 'key one [REDACTED] and stripe [REDACTED] done');
  assert.equal(r.reason, 'matched rules github-pat, stripe-access-token');
});

test('redact mode partial keeps 2 + 2 characters; short secrets are fully masked', () => {
  const text = `token ${ghp} end`;
  const r = createSecretsScanner({ redactMode: 'partial' }).scan(text, ctx);
  assert.equal(r.redacted, `token gh${'*'.repeat(ghp.length - 4)}${ghp.slice(-2)} end`);
  const short = 'DB_PASSWORD=Tr0ub&4dor'; // 10-character secret
  const r2 = createSecretsScanner({ redactMode: 'partial' }).scan(short, ctx);
  assert.equal(r2.redacted, 'DB_PASSWORD=' + '*'.repeat(10));
});

test('redact mode hash', () => {
  const text = `use ${stripe} here`;
  const r = createSecretsScanner({ redactMode: 'hash' }).scan(text, ctx);
  const h = createHash('sha256').update(stripe).digest('hex').slice(0, 12);
  assert.equal(r.redacted, `use [REDACTED:${h}] here`);
});

test('every occurrence of a found secret is redacted, also where no rule matched it', () => {
  const pw = rand(16, ALNUM, 60);
  const text = `db_password = "${pw}"\n\nLater I typed ${pw} into the login form.`;
  assert.equal(scanSecrets(text).findings.length, 1); // only the assignment is a finding
  const r = createSecretsScanner({ redactMode: 'all' }).scan(text, ctx);
  assert.equal(r.redacted, 'db_password = "[REDACTED]"\n\nLater I typed [REDACTED] into the login form.');
});

test('overlapping findings are merged before replacing', () => {
  // gcp-api-key and generic-api-key both report the same key
  const text = `key: ${googleKey}`;
  const ids = ruleIds(text);
  assert.deepEqual(ids, ['gcp-api-key', 'generic-api-key']);
  assert.equal(createSecretsScanner({ redactMode: 'all' }).scan(text, ctx).redacted, 'key: [REDACTED]');
  // partially overlapping and touching spans
  const f = (start: number, end: number) => ({ ruleId: 'x', description: '', start, end, secret: 'abcdefghijklmnopqrstuvwxyz'.slice(start, end) });
  const t = 'abcdefghijklmnopqrstuvwxyz';
  assert.deepEqual(redactionSpans(t, [f(2, 8), f(5, 12), f(12, 14), f(20, 22)]), [
    [2, 14],
    [20, 22],
  ]);
  assert.equal(redact(t, [f(2, 8), f(5, 12), f(20, 22)], 'all'), 'ab[REDACTED]mnopqrst[REDACTED]wxyz');
  assert.equal(redact(t, [f(2, 8), f(5, 14)], 'partial'), 'ab' + 'cd' + '********' + 'mn' + 'opqrstuvwxyz');
});

test('a JWT sent with curl is redacted once (curl-auth-header and jwt overlap)', () => {
  const text = `curl -H "Authorization: Bearer ${jwt}" https://api.example.com/v1/me`;
  const ids = ruleIds(text);
  assert.ok(ids.includes('jwt') && ids.includes('curl-auth-header'), JSON.stringify(ids));
  assert.equal(createSecretsScanner({ redactMode: 'all' }).scan(text, ctx).redacted, 'curl -H "Authorization: Bearer [REDACTED]" https://api.example.com/v1/me');
});

test('the scanner is named Secrets and works on output text too', () => {
  const s = createSecretsScanner({ redactMode: 'partial' });
  assert.equal(s.name, 'Secrets');
  const r = s.scan(`Here is the key you asked for: ${stripe}`, { lang: 'en', direction: 'output' });
  assert.equal(r.flagged, true);
});

// ---- large inputs ------------------------------------------------------------------------------

function randomText(n: number, seed: number): string {
  const r = rng(seed);
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~     \n';
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(alphabet[Math.floor(r() * alphabet.length)]!);
  return out.join('');
}

test('1 MB of random text is scanned in full within the time budget, and secrets in it are found', () => {
  const base = randomText(1 << 20, 99);
  const r = scanSecrets(base);
  assert.equal(r.truncated, false);
  // the same text with secrets planted across it, including right at window boundaries
  const plants = [ghp, stripe, awsKeyId];
  let text = base;
  const step = WINDOW.size - WINDOW.overlap;
  for (const [i, at] of [1000, step - 10, 5 * step - 3, 9 * step + 1, text.length - 500].entries()) {
    const s = ` ${plants[i % plants.length]} `;
    text = text.slice(0, at) + s + text.slice(at + s.length);
  }
  const found = scanSecrets(text).findings.filter((f) => plants.includes(f.secret));
  assert.equal(found.length, 5, JSON.stringify(found.map((f) => [f.ruleId, f.start])));
});

// Their cost: bench/secrets.ts. The timeout only stops catastrophic backtracking.
test('adversarial 1 MB inputs are scanned to the end, within the time budget', { timeout: 120_000 }, () => {
  for (const unit of ['curl ', 'key=', 'api_key = ', '-----BEGIN PRIVATE KEY-----', 'jira_', 'rapidapi=', 'aaaa'.repeat(30) + ' ']) {
    const r = scanSecrets(unit.repeat(Math.ceil((1 << 20) / unit.length)));
    assert.equal(r.truncated, false, `${JSON.stringify(unit)}: cut short`);
    if (!unit.includes('PRIVATE KEY')) assert.deepEqual(r.findings, [], JSON.stringify(unit));
  }
});

// Keyword floods are scanned only around secret-like runs (flood.ts): secrets inside must still be found.
const FLOOD_KEYWORDS = [...new Set(gitleaksRuleKeywords())];
function gitleaksRuleKeywords(): string[] {
  const file = JSON.parse(readFileSync(new URL('../../sidecar/guard/secrets/gitleaks-rules.json', import.meta.url), 'utf8')) as { rules: { keywords: string[] }[] };
  return file.rules.flatMap((r) => r.keywords);
}
const floodOf = (unit: string, n = 256 * 1024): string => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
const plantedSecrets: [string, string][] = [
  // [line planted, secret expected]
  [`git clone https://${ghp}@github.com/acme/repo.git`, ghp],
  [`aws_access_key_id = ${awsKeyId}`, awsKeyId],
  [`Stripe.apiKey = "${stripe}";`, stripe],
  [`OPENAI_API_KEY=${openaiProj}`, openaiProj],
  [`client_secret: ${rand(32, ALNUM, 34)}`, rand(32, ALNUM, 34)],
  [`Authorization: Bearer ${jwt}`, jwt],
  [pem, pem],
];

for (const [what, unit] of [
  ['every rule keyword', FLOOD_KEYWORDS.join(' ') + ' '],
  ['every rule keyword as an assignment', FLOOD_KEYWORDS.join('= ') + '= '],
  ['"key="', 'key='],
  ['"glpat-"', 'glpat-'],
  ['"token key secret api password aws ghp_ sk-"', 'token key secret api password aws ghp_ sk- '],
]) {
  test(`secrets inside a keyword flood (${what}) are found, and every occurrence redacted`, () => {
    const flood = floodOf(unit);
    let text = flood;
    for (const [i, [line]] of plantedSecrets.entries()) {
      const at = Math.floor(((i + 1) * flood.length) / (plantedSecrets.length + 2));
      text = text.slice(0, at) + `\n${line}\n` + text.slice(at);
    }
    text += `\nand once more: ${ghp}\n`; // an echo far from its finding
    const r = scanSecrets(text);
    assert.equal(r.truncated, false);
    const found = new Set(r.findings.map((f) => f.secret));
    for (const [, secret] of plantedSecrets) assert.ok(found.has(secret), `not found: ${secret.slice(0, 24)}…`);
    const redacted = createSecretsScanner({ redactMode: 'all' }).scan(text, ctx).redacted!;
    for (const [, secret] of plantedSecrets) assert.ok(!redacted.includes(secret), `not redacted: ${secret.slice(0, 24)}…`);
    assert.ok(redacted.endsWith('and once more: [REDACTED]\n'));
  });
}

test('a flood of findings: each secret and each of its occurrences is redacted', () => {
  const tokens = Array.from({ length: 3000 }, (_, i) => rand(48, ALNUM, 1000 + i));
  const text = tokens.map((t) => `use ${t} now`).join('\n') + '\n' + tokens.slice(0, 50).join(' ');
  const found = new Set(scanSecrets(text).findings.map((f) => f.secret));
  assert.ok(found.size > 2500, `${found.size} found`);
  let expected = text;
  for (const t of found) expected = expected.split(t).join('[REDACTED]');
  assert.equal(createSecretsScanner({ redactMode: 'all' }).scan(text, ctx).redacted, expected);
});

test('echoes are found per secret left to right without overlapping, as repeated indexOf finds them', () => {
  const t = 'abcabcabcabcabcabc x abcabcabcabcabcabcabc';
  const f = { ruleId: 'x', description: '', start: 0, end: 12, secret: 'abcabcabcabc' };
  // from 0: [0,12), then the next occurrence at or after 12 is at 21, then at 33 would pass the end
  assert.deepEqual(redactionSpans(t, [f]), [
    [0, 12],
    [21, 33],
  ]);
});

test('a scan that runs out of its time budget is reported, and the scanner fails closed', () => {
  const text = randomText(1 << 20, 7);
  const r = scanSecrets(text, { timeBudgetMs: 0 });
  assert.equal(r.truncated, true);
  const s = createSecretsScanner({ redactMode: 'all', timeBudgetMs: 0 }).scan(text, ctx);
  assert.equal(s.flagged, true);
  assert.match(s.reason!, /scan incomplete/);
  assert.equal(s.redacted, undefined, 'the unscanned rest cannot be vouched for');
});

test('a prompt not scanned in full is blocked even in redact mode; monitor lets it through', () => {
  const body = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: `${randomText(1 << 20, 9)} ${awsKeyId}` }] });
  const guard = (action: 'redact' | 'monitor') =>
    new InputGuard(makeConfig({ backends: [{ name: 'a', url: 'http://127.0.0.1:9' }], guard: { input: { maxTextChars: 2 << 20, tokenLimit: { enabled: false }, toxicity: { enabled: false }, promptInjection: { enabled: false }, secrets: { action, timeBudgetMs: 1 } } } }).guard.input);
  const outcome = guard('redact').admit('/v1/chat/completions', body);
  const redacting = outcome.verdict;
  assert.equal(redacting.allow, false);
  assert.equal(redacting.guard?.scanner, 'Secrets');
  assert.match(outcome.blocked?.reason ?? '', /scan incomplete/);
  assert.equal(redacting.body, undefined);
  const monitoring = guard('monitor').admit('/v1/chat/completions', body).verdict;
  assert.equal(monitoring.allow, true);
  assert.equal(monitoring.headers?.['X-Guard-Flagged'], 'Secrets');
});

test('findings carry rule id, description and exact offsets', () => {
  const text = `x ${awsKeyId} y`;
  const [f] = scanSecrets(text).findings;
  assert.ok(f);
  assert.equal(f.ruleId, 'aws-access-token');
  assert.match(f.description, /AWS/);
  assert.equal(text.slice(f.start, f.end), awsKeyId);
  assert.deepEqual(secretsOf(text), [awsKeyId]);
});

// ---- search shortcuts: same results as the plain searches ---------------------------------------

test('the keyword automaton finds every occurrence of every keyword, overlapping ones too', () => {
  const occurrences = engineTesting.keywordOccurrences;
  const keywords = [...occurrences('').keys()];
  const r = rng(5);
  const pieces = [...keywords, ...keywords.map((k) => k.toUpperCase()), ' ', '=', '_', '-', 'x', 'İ', 'K', 'é', '\n'];
  const texts = [keywords.join(''), keywords.join(' '), 'İ' + keywords.join('İ'), ghp, pem];
  for (let i = 0; i < 60; i++) texts.push(Array.from({ length: 80 }, () => pieces[Math.floor(r() * pieces.length)]).join(''));
  for (const text of texts) {
    // İ lower-cases to two units; the engine maps it to i, the K (Kelvin sign) to k
    const lower = text.replace(/İ/g, 'i').toLowerCase();
    assert.equal(lower.length, text.length);
    for (const [k, found] of occurrences(text)) {
      const expected: number[] = [];
      for (let at = lower.indexOf(k); at >= 0; at = lower.indexOf(k, at + 1)) expected.push(at);
      assert.deepEqual(found, expected, `${k} in ${JSON.stringify(text.slice(0, 60))}`);
    }
  }
});

test('a text with İ keeps its offsets: findings point at the secret', () => {
  const text = `İstanbul office: ${'İ'.repeat(5)} token ${ghp} İ`;
  const f = scanSecrets(text).findings.find((x) => x.ruleId === 'github-pat');
  assert.ok(f);
  assert.equal(text.slice(f.start, f.end), ghp);
});

test('password assignments are searched only near "=" and ":", with the matches of the plain regex', () => {
  const plain = (text: string): [number, string][] => {
    const re = new RegExp(heuristicsTesting.passwordRegex.source, heuristicsTesting.passwordRegex.flags);
    return [...text.matchAll(re)].map((m) => [m.index, m[0]]);
  };
  const r = rng(6);
  const pieces = ['pass', 'PASSWORD', 'passwd', 'pwd', 'Passphrase', 'db_', '_file', 'x'.repeat(30), 'passwd'.repeat(40), ' ', '\t', '\n', '"', "'", '`',
    '=', ':', '=>', ':=', ';', ',', 'Tr0ub4dor&3x', 'hunter22', '${X}', 'é'];
  const texts = [`${'passwd'.repeat(2000)} db_password=Tr0ub4dor&3xK9q! ${'passwd'.repeat(2000)}: x`, `pass${'x'.repeat(29)}"   = 'abcdefgh1'`];
  for (let i = 0; i < 400; i++) texts.push(Array.from({ length: 2 + Math.floor(r() * 30) }, () => pieces[Math.floor(r() * pieces.length)]).join(''));
  let matched = 0;
  for (const text of texts) {
    const expected = plain(text);
    matched += expected.length;
    assert.deepEqual(heuristicsTesting.passwordMatches(text), expected, JSON.stringify(text.slice(0, 120)));
  }
  assert.ok(matched > 100, `only ${matched} matches: the fuzz does not exercise the regex`);
});

test('a password assignment inside a flood of "passwd" is found', () => {
  const flood = 'passwd'.repeat(20000);
  const text = `${flood}\nDB_PASSWORD=Tr0ub4dor&3xK9q!\n${flood}\npassword: "x9Q!${rand(10, ALNUM, 70)}"\n${flood}`;
  const found = scanSecrets(text).findings.filter((f) => f.ruleId === 'password-assignment').map((f) => f.secret);
  assert.deepEqual(found, ['Tr0ub4dor&3xK9q!', `x9Q!${rand(10, ALNUM, 70)}`]);
});

test('base64url of plain text is recognised as encoded text; random base64url is a token', () => {
  const prose = Buffer.from('this is only a plain sentence, nothing hidden in it >>> ok?? fine').toString('base64url');
  assert.match(prose, /[-_]/); // the base64url alphabet
  assert.deepEqual(ruleIds(`decode ${prose} please`), []);
  const token = rand(48, ALNUM + '-_', 71);
  assert.deepEqual(ruleIds(`use ${token} please`), ['high-entropy-token']);
});
