// Secrets scanner latency: scan() (gitleaks rules + heuristics + redaction) on ordinary prompts and on
// adversarial 1 MiB inputs built to make it slow.
//
//   npx tsx bench/secrets.ts
//
// The sidecar is single-threaded: every millisecond one scan takes delays the admission of every
// other request, so the worst case matters as much as the usual one. The single-keyword case is
// found by a sweep (every gitleaks keyword × a few separators, 128 KiB each) and then measured at
// 1 MiB. Writes bench/SECRETS.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../scripts/seeded-random.ts';
import type { ScanContext } from '../sidecar/guard/scanner.ts';
import { createSecretsScanner } from '../sidecar/guard/scanners/secrets.ts';
import type { RulesFileJson } from '../sidecar/guard/secrets/types.ts';
import { codeVersion, commandLine, machine } from './environment.ts';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const MiB = 1 << 20;
const ctx: ScanContext = { lang: 'en', direction: 'input' };
const scanner = createSecretsScanner({ redactMode: 'all' });

// ---- inputs ------------------------------------------------------------------------------------

const rand = seededRandom(20261123);
function randomOf(n: number, alphabet: string): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
  return s;
}
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const B64 = ALNUM + '+/';

// Developer-chat prose and code, with the words a real prompt has (key, token, password, secret).
const PARAGRAPHS = [
  'I am trying to set up the deployment pipeline for our service and the build keeps failing on the ' +
    'integration step. The logs say the API key is missing, but I exported it in the shell before running ' +
    'the script. Could the CI runner be starting a fresh environment? What is the usual way to pass a token ' +
    'to a job without writing it into the repository?\n',
  'Here is the relevant part of the config:\n\n```yaml\nservices:\n  api:\n    image: acme/api:1.4.2\n' +
    '    environment:\n      - DATABASE_URL=${DATABASE_URL}\n      - LOG_LEVEL=debug\n    ports:\n      - "8080:8080"\n```\n\n',
  'The password policy requires twelve characters, so the old secret was rotated last week. Since then the ' +
    'worker cannot authenticate against the queue; the error is "401 Unauthorized" with no further detail. ' +
    'I checked the credentials file and the access key id matches the one in the console.\n',
  'function retry(fn, attempts = 3) {\n  for (let i = 0; i < attempts; i++) {\n    try { return fn(); }\n' +
    '    catch (err) { if (i === attempts - 1) throw err; }\n  }\n}\n\n',
  'Could you also explain how the session token expires? The documentation mentions a refresh endpoint, ' +
    'but our client never calls it and users get logged out after an hour. We use the default settings of ' +
    'the auth library, version 5.2, behind an nginx reverse proxy.\n',
];
function prose(n: number): string {
  let s = '';
  for (let i = 0; s.length < n; i++) s += PARAGRAPHS[i % PARAGRAPHS.length];
  return s.slice(0, n);
}

// Synthetic secrets shaped like real ones (random, never real credentials).
const SECRETS = [
  `export AWS_ACCESS_KEY_ID=AKIA${randomOf(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}\n`,
  `git clone https://ghp_${randomOf(36, ALNUM)}@github.com/acme/repo.git\n`,
  `Stripe.apiKey = "sk_live_${randomOf(24, ALNUM)}";\n`,
  `OPENAI_API_KEY=sk-proj-${randomOf(74, ALNUM)}T3BlbkFJ${randomOf(74, ALNUM)}\n`,
  `DB_PASSWORD=Tr0ub4dor&3xK9q!\n`,
];
function withSecrets(text: string): string {
  // spread over the text, each at a line start
  let out = text;
  for (const [i, s] of SECRETS.entries()) {
    const at = out.indexOf('\n', Math.floor(((i + 0.5) * out.length) / SECRETS.length)) + 1;
    out = out.slice(0, at) + s + out.slice(at);
  }
  return out;
}

function repeatTo(unit: string, n: number): string {
  return unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
}

const rules = (JSON.parse(readFileSync(new URL('../sidecar/guard/secrets/gitleaks-rules.json', import.meta.url), 'utf8')) as RulesFileJson).rules;
const KEYWORDS = [...new Set(rules.flatMap((r) => r.keywords))];

// ---- timing ------------------------------------------------------------------------------------

function timeOnce(text: string): number {
  const t0 = performance.now();
  scanner.scan(text, ctx);
  return performance.now() - t0;
}

/** p50/p99 over repeated runs: at least MIN_RUNS, more while the case has used less than ~2 s. */
const MIN_RUNS = 15;
const MAX_RUNS = 400;
function measure(text: string): { runs: number; p50: number; p99: number; max: number; flagged: boolean } {
  const flagged = scanner.scan(text, ctx).flagged; // also the warm-up
  timeOnce(text);
  const ts: number[] = [];
  let total = 0;
  while (ts.length < MIN_RUNS || (ts.length < MAX_RUNS && total < 2000)) {
    const t = timeOnce(text);
    ts.push(t);
    total += t;
  }
  ts.sort((a, b) => a - b);
  const q = (p: number): number => ts[Math.min(ts.length - 1, Math.ceil(p * ts.length) - 1)]!;
  return { runs: ts.length, p50: q(0.5), p99: q(0.99), max: ts[ts.length - 1]!, flagged };
}

/** The keyword unit (keyword + separator) that costs most, 128 KiB of it repeated. */
function worstKeywordUnit(): { unit: string; ms: number } {
  let worst = { unit: '', ms: -1 };
  for (const k of KEYWORDS) {
    for (const sep of [' ', '=', '_', '-', '']) {
      const unit = k + sep;
      const ms = timeOnce(repeatTo(unit, 128 * 1024));
      if (ms > worst.ms) worst = { unit, ms };
    }
  }
  return worst;
}

// ---- run ---------------------------------------------------------------------------------------

const sweep = worstKeywordUnit();
const cases: [string, string][] = [
  ['4k benign prose', prose(4096)],
  ['4k with 5 secrets', withSecrets(prose(4096))],
  ['32k prose and code with 5 secrets', withSecrets(prose(32 * 1024))],
  ['1 MiB benign prose', prose(MiB)],
  ['1 MiB flood: every rule keyword, space-separated', repeatTo(KEYWORDS.join(' ') + ' ', MiB)],
  ['1 MiB flood: every rule keyword as `kw=`', repeatTo(KEYWORDS.join('= ') + '= ', MiB)],
  ['1 MiB flood: "token key secret api password aws ghp_ sk-"', repeatTo('token key secret api password aws ghp_ sk- ', MiB)],
  [`1 MiB flood: one keyword unit (worst of sweep) ${JSON.stringify(sweep.unit)}`, repeatTo(sweep.unit, MiB)],
  ['1 MiB random base64 (no spaces)', randomOf(MiB, B64)],
  ['1 MiB random base64, 64-char lines', randomOf(MiB, B64).replace(/(.{63})./g, '$1\n')],
];

const rows: string[] = [];
for (const [name, text] of cases) {
  const m = measure(text);
  const row = `| ${name} | ${(text.length / 1024).toFixed(0)} | ${m.runs} | ${m.p50.toFixed(2)} | ${m.p99.toFixed(2)} | ${m.max.toFixed(2)} | ${m.flagged ? 'yes' : 'no'} |`;
  console.log(row);
  rows.push(row);
}

const report = [
  '# Secrets scanner: measured',
  '',
  'Generated by `npx tsx bench/secrets.ts` (do not edit by hand).',
  '',
  `- command: \`${commandLine(REPO)}\``,
  `- date: ${new Date().toISOString()}`,
  `- machine: ${machine()}, Node ${process.version}`,
  `- code: ${codeVersion(REPO)}`,
  '- what: `createSecretsScanner({ redactMode: "all" }).scan(text)` (rules, heuristics, redaction), one thread, after two warm-up calls; ' +
    `at least ${MIN_RUNS} runs, more (up to ${MAX_RUNS}) while a case has taken less than 2 s. The machine is shared: compare rows within one run`,
  `- worst keyword unit: every gitleaks keyword (${KEYWORDS.length}) followed by " ", "=", "_", "-" or nothing, 128 KiB of it: ` +
    `${JSON.stringify(sweep.unit)} (${sweep.ms.toFixed(1)} ms at 128 KiB), measured at 1 MiB below`,
  '',
  '| input | KiB | runs | p50 ms | p99 ms | max ms | flagged |',
  '|---|---:|---:|---:|---:|---:|---|',
  ...rows,
  '',
  'In the default input guard these 1 MiB prompts never reach Secrets: TokenLimit runs first and blocks anything over 32768 tokens ' +
    '(a few ms, it stops counting at the limit). They matter where TokenLimit is off or raised, and for whole answers. A scan is cut ' +
    'at `guard.input.secrets.timeBudgetMs` (2 s); a prompt not scanned in full is blocked, in redact mode too.',
  '',
].join('\n');
writeFileSync(new URL('./SECRETS.md', import.meta.url), report);
console.log(`worst keyword unit ${JSON.stringify(sweep.unit)}: ${sweep.ms.toFixed(1)} ms at 128 KiB; wrote bench/SECRETS.md`);
