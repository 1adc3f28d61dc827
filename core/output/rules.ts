// The output scanners of the stream guard, compiled once per response into one function that scans a
// window of generated text. Every rule has a bounded reach: the longest stretch of text one match can
// span, counting the boundary characters a pattern consumes and the one character after a URL's host
// that shows where the host ends. The guard relies on it twice: each window it scans holds at least
// `reach` characters before the new text, and it holds back the reach of the rules that block (rules in
// monitor mode only record) so that no part of a match that could still complete is sent. So no pattern here uses ^, $, \b or lookbehind on the
// window (they would depend on where the window starts or ends); boundaries are consumed characters
// instead, and the guard starts each text with a '\n' and ends it with one.
//
// Speed and memory in njs 0.7.9: regexp literals are compiled once when nginx loads the module, but
// evaluating one allocates a RegExp object, and nothing is freed before the request ends, so every
// regexp is made once per response, here. String#search and indexOf cost a fraction of a microsecond
// and allocate nothing; RegExp#exec / #test / String#match cost several µs and allocate. So every rule
// family is gated by one search for what all its matches contain, and its patterns run only behind a hit.
import { createFolder } from './fold.ts';
import { REFUSAL_REACH, refusalPatterns } from './refusal-phrases.ts';
import type { Finding, OutputRules, OutputScanner } from './types.ts';
import { createAuthorityCheck } from './urls.ts';
import { findingAction } from './finding-action.ts';

/** A stretch of one generated text, as the guard keeps it for scanning. */
export interface ScanWindow {
  /** The text as generated. */
  raw: string;
  /** Folded (fold.ts): same length. */
  folded: string;
  /** Position of raw[0] in the whole text. */
  base: number;
  /** Position in the whole text before which every URL has been checked and found harmless (scan() moves it). */
  urlsDone: number;
}

/**
 * What the monitored scanners found in one answer so far: each one's first finding, after which it
 * is skipped (a finding is recorded once per answer, and the scanner costs nothing more).
 */
export interface MonitorLog {
  seen: Record<string, boolean>;
  flagged: Finding[];
}

export function createMonitorLog(): MonitorLog {
  return { seen: {}, flagged: [] };
}

export interface CompiledRules {
  /** The longest reach of the active rules; 0 when none is active. */
  reach: number;
  /** The longest reach of the rules that block: what must be held back (monitored rules hold nothing). */
  holdReach: number;
  /** The folding that ScanWindow.folded must be made with. */
  fold: (s: string) => string;
  /**
   * The first blocking finding in the window. Rules run in order Secrets, MaliciousURLs, BanSubstrings,
   * NoRefusal, NoCode. With a log, findings of monitored scanners go there instead; without one, every
   * finding counts.
   */
  scan(w: ScanWindow, log?: MonitorLog): Finding | null;
}

/** One active scanner: the reason of its first match in the window, or null. */
interface Check {
  scanner: OutputScanner;
  /** The configured action (a stream has no redact: the rules only block or flag). */
  action: 'block' | 'monitor';
  reach: number;
  run(w: ScanWindow): string | null;
}

interface PatternRule {
  re: RegExp;
  reach: number;
  reason: string;
}

interface RuleFamily {
  /** Matches a part of every match of every rule: the rules run only if it finds something. */
  gate: RegExp;
  rules: PatternRule[];
}

function secretRules(): RuleFamily {
  // Only as much of each token as identifies it (the full gitleaks rules run in the sidecar). On raw text.
  return {
    gate: /A(?:KIA|SIA|BIA|CCA|3T)|gh[pousr]_|github_pat_|sk-|xox|-----BEGIN|\.eyJ/,
    rules: [
      { re: /[^A-Za-z0-9](?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}[^A-Za-z0-9]/, reach: 22, reason: 'matched rule aws-access-token' },
      { re: /[^A-Za-z0-9_]gh[pousr]_[A-Za-z0-9]{36}/, reach: 41, reason: 'matched rule github-pat' },
      { re: /[^A-Za-z0-9_]github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{10}/, reach: 45, reason: 'matched rule github-fine-grained-pat' },
      { re: /[^A-Za-z0-9_-]sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{32}/, reach: 44, reason: 'matched rule openai-api-key' },
      { re: /[^A-Za-z0-9_-]sk-[A-Za-z0-9]{32}/, reach: 36, reason: 'matched rule openai-api-key' },
      { re: /[^A-Za-z0-9]xox[abeposr]-[0-9]{8,13}-[0-9A-Za-z]/, reach: 21, reason: 'matched rule slack-token' },
      { re: /-----BEGIN[ A-Z0-9]{0,24}PRIVATE KEY/, reach: 45, reason: 'matched rule private-key' },
      // Header "eyJ…" (or its last 44 characters when it is longer), then a payload that is JSON too.
      { re: /(?:eyJ[A-Za-z0-9_-]{8,40}|[A-Za-z0-9_-]{44})\.eyJ[A-Za-z0-9_-]{8}/, reach: 56, reason: 'matched rule jwt' },
    ],
  };
}

function uriRules(): RuleFamily {
  // On folded text. URLs with an authority ("scheme://") are checked by badUrl().
  return {
    gate: /data:|script:|xn--/,
    rules: [
      { re: /[^a-z0-9+.-]data:[a-z]{2,12}\/[a-z0-9.+-]{1,40}[;,]/, reach: 60, reason: 'data: URI' },
      { re: /[^a-z0-9+.-](?:javascript|vbscript):[^\s'"]/, reach: 13, reason: 'javascript: URI' },
      { re: /[^a-z0-9-]xn--[a-z0-9-]{1,40}\.[a-z0-9]/, reach: 47, reason: 'punycode host' },
    ],
  };
}

function codeRules(): RuleFamily {
  // On raw text (newlines matter).
  return {
    gate: /`|~~~/,
    rules: [
      { re: /```|\n[ \t]{0,3}~~~/, reach: 7, reason: 'fenced code block' },
      { re: /`[^`\n]{1,64}`/, reach: 66, reason: 'inline code' },
    ],
  };
}

/** Longest URL authority checked: a longer one is reported as such. */
const MAX_AUTHORITY = 64;
// "https://" (8) + an authority one longer than the longest checked + the character after it.
const URL_REACH = 8 + MAX_AUTHORITY + 2;

function familyReach(family: RuleFamily): number {
  let r = 0;
  for (let i = 0; i < family.rules.length; i++) if (family.rules[i].reach > r) r = family.rules[i].reach;
  return r;
}

function firstPattern(family: RuleFamily, text: string): string | null {
  if (text.search(family.gate) < 0) return null;
  for (let i = 0; i < family.rules.length; i++) {
    if (text.search(family.rules[i].re) >= 0) return family.rules[i].reason;
  }
  return null;
}

/** What one scanner checks in a window, and how far back from its end a finding can start. */
interface ScannerCheck {
  reach: number;
  run(w: ScanWindow): string | null;
}

/** A family of patterns on the raw text (case and newlines matter). */
function patternCheck(family: RuleFamily): ScannerCheck {
  return {
    reach: familyReach(family),
    run: function (w) {
      return firstPattern(family, w.raw);
    },
  };
}

function urlCheck(suspiciousTlds: string[]): ScannerCheck {
  const uris = uriRules();
  const authorityProblem = createAuthorityCheck(suspiciousTlds);
  const scheme = /(?:https?|ftps?|wss?):\/\//;
  const authorityEnd = /[^a-z0-9._~%:@[\]-]/;
  /**
   * The first suspicious "scheme://authority" in the window, or null. URLs found harmless move
   * w.urlsDone past their scheme, so later scans of the same text skip them.
   */
  const badUrl = function (w: ScanWindow): string | null {
    const text = w.folded;
    let pos = w.urlsDone - w.base;
    if (pos < 0) pos = 0;
    while (text.indexOf('://', pos) >= 0) {
      const at = (pos > 0 ? text.slice(pos) : text).search(scheme);
      if (at < 0) return null;
      const start = text.indexOf('://', pos + at) + 3;
      const tail = text.slice(start);
      const n = tail.search(authorityEnd);
      if (n > MAX_AUTHORITY || (n < 0 && tail.length > MAX_AUTHORITY)) return 'URL host too long to check';
      // Decided only once a character after the authority is there: until then the host may go on.
      if (n < 0) return null;
      const problem = authorityProblem(tail.slice(0, n));
      if (problem) return problem;
      pos += at + 1;
      w.urlsDone = w.base + pos;
    }
    return null;
  };
  return {
    reach: Math.max(familyReach(uris), URL_REACH),
    run: function (w) {
      return firstPattern(uris, w.folded) || badUrl(w);
    },
  };
}

// Configured phrases: few, so indexOf each (a RegExp built from them would be compiled per response).
function bannedCheck(list: string[], fold: (text: string) => string): ScannerCheck | null {
  const banned: string[] = [];
  const reasons: string[] = [];
  let reach = 0;
  for (let i = 0; i < list.length; i++) {
    const p = fold(String(list[i]));
    if (p.length === 0) continue;
    banned.push(p);
    reasons.push('matched banned substring #' + (i + 1));
    if (p.length > reach) reach = p.length;
  }
  if (!banned.length) return null;
  return {
    reach: reach,
    run: function (w) {
      for (let i = 0; i < banned.length; i++) if (w.folded.indexOf(banned[i]) >= 0) return reasons[i];
      return null;
    },
  };
}

function refusalCheck(): ScannerCheck {
  const refusals = refusalPatterns();
  const nonAscii = /[\u0080-\uffff]/;
  return {
    reach: REFUSAL_REACH,
    run: function (w) {
      const latinOnly = w.folded.search(nonAscii) < 0;
      for (let i = 0; i < refusals.length; i++) {
        const p = refusals[i];
        if (!(latinOnly && p.nonLatin) && w.folded.search(p.re) >= 0) return 'refusal phrase (' + p.lang + ')';
      }
      return null;
    },
  };
}

export function compileRules(rules: OutputRules): CompiledRules {
  const fold = createFolder();
  const monitor = rules.monitor || [];
  const checks: Check[] = [];
  function add(scanner: OutputScanner, check: ScannerCheck | null): void {
    if (check) checks.push({ scanner: scanner, action: monitor.indexOf(scanner) >= 0 ? 'monitor' : 'block', reach: check.reach, run: check.run });
  }
  if (rules.secrets) add('Secrets', patternCheck(secretRules()));
  if (rules.maliciousUrls) add('MaliciousURLs', urlCheck(rules.maliciousUrls.suspiciousTlds || []));
  add('BanSubstrings', bannedCheck(rules.banSubstrings || [], fold));
  if (rules.noRefusal) add('NoRefusal', refusalCheck());
  if (rules.noCode) add('NoCode', patternCheck(codeRules()));

  let reach = 0;
  let holdReach = 0;
  for (let i = 0; i < checks.length; i++) {
    reach = Math.max(reach, checks[i].reach);
    if (checks[i].action !== 'monitor') holdReach = Math.max(holdReach, checks[i].reach);
  }

  return {
    reach: reach,
    holdReach: holdReach,
    fold: fold,
    scan(w: ScanWindow, log?: MonitorLog): Finding | null {
      // Declared outside the loop: njs 0.7.9 allocates a const/let in a loop body on every iteration.
      let c: Check;
      let reason: string | null;
      for (let i = 0; i < checks.length; i++) {
        c = checks[i];
        if (log && log.seen[c.scanner]) continue;
        reason = c.run(w);
        if (reason === null) continue;
        const finding: Finding = { scanner: c.scanner, reason: reason };
        if (!log || findingAction(c.action, false) === 'block') return finding;
        log.seen[c.scanner] = true;
        log.flagged.push(finding);
      }
      return null;
    },
  };
}
