// njs/output: the guard's rules (rules.ts, refusal-phrases.ts, urls.ts), folding (fold.ts) and framing
// (sse.ts, ndjson.ts) on their own; the config's actions as rendered for nginx and as the sidecar applies
// them to whole answers. The stream behaviour is in output-stream-guard.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createFolder, foldForMatch } from '../../core/output/fold.ts';
import { createNdjsonFramer } from '../../njs/output/ndjson.ts';
import { REFUSAL_REACH, refusalPatterns } from '../../core/output/refusal-phrases.ts';
import { compileRules, createMonitorLog, type ScanWindow } from '../../core/output/rules.ts';
import { createSseFramer, sseData } from '../../njs/output/sse.ts';
import { createAuthorityCheck, normalizeTlds } from '../../core/output/urls.ts';
import { LANGUAGES } from '../../core/i18n/languages.ts';
import type { GatewayConfigInput } from '../../config/schema.ts';
import { outputRules } from '../../core/output/config-rules.ts';
import { OutputGuard } from '../../sidecar/guard/output-guard.ts';
import { makeConfig } from './fixtures.ts';

/**
 * Every string a pattern made of literal characters, (?:a|b) groups and `?` can match. Throws on
 * anything else, so the patterns stay in the subset whose reach can be checked.
 */
function expand(source: string): string[] {
  let i = 0;
  function alternation(): string[] {
    const out: string[] = [];
    for (;;) {
      out.push(...sequence());
      if (source[i] !== '|') return out;
      i++;
    }
  }
  function sequence(): string[] {
    let acc = [''];
    while (i < source.length && source[i] !== '|' && source[i] !== ')') {
      let atom: string[];
      if (source.startsWith('(?:', i)) {
        i += 3;
        atom = alternation();
        assert.equal(source[i], ')', `unclosed group in ${source}`);
        i++;
      } else {
        const c = source[i++];
        assert.ok(!'\\[]{}*+.^$('.includes(c), `unsupported "${c}" in ${source}`);
        atom = [c];
      }
      if (source[i] === '?') {
        i++;
        atom = [...atom, ''];
      }
      acc = acc.flatMap((a) => atom.map((b) => a + b));
    }
    return acc;
  }
  const all = alternation();
  assert.equal(i, source.length, `stopped at ${i} in ${source}`);
  return all;
}

function window(text: string): ScanWindow {
  const raw = '\n' + text + '\n';
  return { raw, folded: foldForMatch(raw), base: 0, urlsDone: 0 };
}

const ON = { banSubstrings: [], noRefusal: true, maliciousUrls: { suspiciousTlds: ['zip'] }, noCode: true, secrets: true };

describe('refusal patterns', () => {
  const patterns = refusalPatterns();

  test('one per catalogue language', () => {
    assert.deepEqual(patterns.map((p) => p.lang).sort(), [...LANGUAGES].sort());
  });

  test('every phrase is folded, within REFUSAL_REACH, non-Latin where flagged, and matched by its pattern', () => {
    let longest = 0;
    let count = 0;
    for (const p of patterns) {
      assert.equal(p.re.flags, '', `${p.lang}: no flags (no i: the text is folded; no g: search ignores it)`);
      const phrases = expand(p.re.source);
      assert.equal(new Set(phrases).size, phrases.length, `${p.lang}: no duplicates`);
      for (const phrase of phrases) {
        count++;
        assert.equal(foldForMatch(phrase), phrase, `${p.lang}: "${phrase}" is folded`);
        assert.ok(phrase.length <= REFUSAL_REACH, `${p.lang}: "${phrase}" (${phrase.length}) fits REFUSAL_REACH`);
        assert.equal(phrase.trim(), phrase);
        if (p.nonLatin) assert.match(phrase, /[^\x00-\x7f]/, `${p.lang}: "${phrase}" has a non-ASCII character`);
        assert.ok(('x ' + phrase + ' x').search(p.re) === 2);
        longest = Math.max(longest, phrase.length);
      }
    }
    assert.ok(count > 150, `${count} phrases`);
    assert.ok(longest > REFUSAL_REACH - 8, `REFUSAL_REACH (${REFUSAL_REACH}) is not much more than the longest phrase (${longest})`);
  });
});

describe('pattern rules: reach and precision', () => {
  const rules = compileRules(ON);

  test('reach is the longest of the active rules', () => {
    assert.equal(rules.reach, 74, 'URLs: "https://" + 65 + 1');
    assert.equal(compileRules({ ...ON, maliciousUrls: null }).reach, 66, 'inline code');
    assert.equal(compileRules({ ...ON, maliciousUrls: null, noCode: false }).reach, 56, 'jwt');
    assert.equal(compileRules({ ...ON, maliciousUrls: null, noCode: false, secrets: false }).reach, REFUSAL_REACH);
    assert.equal(compileRules({ banSubstrings: ['x'.repeat(90)], noRefusal: false, maliciousUrls: null, noCode: false, secrets: false }).reach, 90);
    assert.equal(compileRules({ banSubstrings: [''], noRefusal: false, maliciousUrls: null, noCode: false, secrets: false }).reach, 0);
  });

  test('the longest match of each secret / code rule fits its reach (as consumed, boundaries included)', () => {
    const longest: [string, string][] = [
      [' AKIA' + 'A'.repeat(16) + ' ', 'aws-access-token'],
      [' ghp_' + 'a'.repeat(36), 'github-pat'],
      [' github_pat_' + 'a'.repeat(22) + '_' + 'b'.repeat(10), 'github-fine-grained-pat'],
      [' sk-svcacct-' + 'a'.repeat(32), 'openai-api-key'],
      [' xoxb-' + '1'.repeat(13) + '-a', 'slack-token'],
      ['-----BEGIN ' + 'A'.repeat(23) + 'PRIVATE KEY', 'private-key'],
      ['a'.repeat(44) + '.eyJ' + 'b'.repeat(8), 'jwt'],
    ];
    const reaches: Record<string, number> = { 'aws-access-token': 22, 'github-pat': 41, 'github-fine-grained-pat': 45, 'openai-api-key': 44, 'slack-token': 21, 'private-key': 45, jwt: 56 };
    for (const [text, rule] of longest) {
      assert.equal(text.length, reaches[rule], rule);
      assert.deepEqual(compileRules({ ...ON, noRefusal: false }).scan({ raw: text, folded: text, base: 0, urlsDone: 0 }), { scanner: 'Secrets', reason: `matched rule ${rule}` });
      assert.ok(text.length <= rules.reach);
    }
  });

  test('the longest match of each URI / code rule fits its reach', () => {
    const longest: [string, string, string, number][] = [
      [' data:' + 'a'.repeat(12) + '/' + 'b'.repeat(40) + ';', 'MaliciousURLs', 'data: URI', 60],
      [' javascript:x', 'MaliciousURLs', 'javascript: URI', 13],
      [' xn--' + 'a'.repeat(40) + '.a', 'MaliciousURLs', 'punycode host', 47],
      ['https://' + 'a'.repeat(60) + '.zip/', 'MaliciousURLs', 'URL host with a suspicious TLD', 73],
      ['https://' + 'a'.repeat(65), 'MaliciousURLs', 'URL host too long to check', 73],
      ['`' + 'a'.repeat(64) + '`', 'NoCode', 'inline code', 66],
      ['\n   ~~~', 'NoCode', 'fenced code block', 7],
    ];
    for (const [text, scanner, reason, reach] of longest) {
      assert.equal(text.length, reach, reason);
      assert.ok(reach <= rules.reach);
      assert.deepEqual(compileRules({ ...ON, noRefusal: false, secrets: false }).scan({ raw: text, folded: text, base: 0, urlsDone: 0 }), { scanner, reason });
    }
    assert.equal(compileRules(ON).scan(window('`' + 'a'.repeat(65) + '`')), null, 'longer inline code is left to the sidecar');
  });

  test('URLs: a harmless one is checked once, later ones still are; schemes inside an authority too', () => {
    const w = window('see https://example.com/a and more');
    assert.equal(rules.scan(w), null);
    assert.ok(w.urlsDone > 0, 'moved past the harmless URL');
    const grown = { ...w, raw: w.raw + 'then https://bit.ly/x ', folded: w.folded + 'then https://bit.ly/x ' };
    assert.deepEqual(rules.scan(grown), { scanner: 'MaliciousURLs', reason: 'URL shortener host' });
    assert.deepEqual(rules.scan(window('https://x.comhttps://bit.ly/')), { scanner: 'MaliciousURLs', reason: 'URL shortener host' });
    assert.equal(rules.scan({ raw: '\nsee https://bit.l', folded: '\nsee https://bit.l', base: 0, urlsDone: 0 }), null, 'undecided while the host may go on');
  });

  test('authority checks', () => {
    const check = createAuthorityCheck(['.ZIP', 'mov']);
    assert.deepEqual(normalizeTlds(['.ZIP', ' mov ', '', '..x']), ['zip', 'mov', 'x']);
    assert.equal(check('example.com'), null);
    assert.equal(check('example.com:8443'), null);
    assert.equal(check('example.com.'), null);
    assert.equal(check('a.zip'), 'URL host with a suspicious TLD');
    assert.equal(check('zip'), null, 'a single label is no TLD');
    assert.equal(check('127.0.0.1:80'), 'URL with a raw IP host');
    assert.equal(check('[2001:db8::1]'), 'URL with a raw IP host');
    assert.equal(check('u:p@example.com'), 'URL with embedded credentials');
    assert.equal(check('www.bit.ly'), 'URL shortener host');
    assert.equal(check('bit.ly.example.com'), null);
    assert.equal(check('sub.xn--p1ai'), 'URL with a punycode host');
  });
});

describe('monitor mode in the rules', () => {
  test('holdReach is the reach of the rules that block', () => {
    assert.equal(compileRules({ ...ON, monitor: ['MaliciousURLs'] }).reach, 74);
    assert.equal(compileRules({ ...ON, monitor: ['MaliciousURLs'] }).holdReach, 66, 'inline code');
    assert.equal(compileRules({ ...ON, monitor: ['MaliciousURLs', 'NoCode', 'Secrets', 'NoRefusal'] }).holdReach, 0);
    assert.equal(compileRules(ON).holdReach, 74);
  });

  test('with a log, monitored findings are logged once and skipped; without one they count', () => {
    const rules = compileRules({ ...ON, monitor: ['Secrets', 'NoCode'] });
    const text = 'key AKIAIOSFODNN7EXAMPLE and `x`';
    assert.deepEqual(rules.scan(window(text)), { scanner: 'Secrets', reason: 'matched rule aws-access-token' });
    const log = createMonitorLog();
    assert.equal(rules.scan(window(text), log), null);
    assert.deepEqual(log.flagged, [{ scanner: 'Secrets', reason: 'matched rule aws-access-token' }, { scanner: 'NoCode', reason: 'inline code' }]);
    assert.deepEqual(rules.scan(window(text + " I'm sorry, but I can't"), log), { scanner: 'NoRefusal', reason: 'refusal phrase (en)' });
    assert.equal(log.flagged.length, 2, 'each scanner once');
  });
});

describe('the config\'s actions', () => {
  const config = (output: NonNullable<GatewayConfigInput['guard']>['output']) =>
    makeConfig({ backends: [{ name: 'a', url: 'http://127.0.0.1:1' }], guard: { output } }).guard.output;

  test('rendered for nginx: monitored stream scanners; secrets `redact` blocks on streams', () => {
    const cfg = config({
      banSubstrings: { enabled: true, action: 'monitor', substrings: ['x'], defaultList: false },
      noCode: { enabled: true },
      noRefusal: { enabled: false, action: 'monitor' },
      secrets: { enabled: true },
      toxicity: { enabled: true, action: 'monitor' },
    });
    assert.equal(cfg.noCode.action, 'block', 'block by default');
    assert.equal(cfg.secrets.action, 'redact', 'secrets redact by default');
    assert.deepEqual(outputRules(cfg)?.monitor, ['BanSubstrings']);
    assert.deepEqual(outputRules(config({ secrets: { enabled: true, action: 'monitor' }, maliciousUrls: { enabled: true, action: 'monitor' } }))?.monitor, ['MaliciousURLs', 'Secrets']);
  });

  test('the schema refuses redact where it means nothing', () => {
    assert.throws(() => config({ noCode: { enabled: true, action: 'redact' as 'block' } }), /noCode\.action/);
  });

  const answer = (content: string) => JSON.stringify({ id: 'c1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] });
  const scan = (output: Parameters<typeof config>[0], content: string) => new OutputGuard(config(output)).scan('/v1/chat/completions', answer(content), 'en');
  const KEY = 'AKIAQX4TZ7WPL3MRNV2K';

  test('whole answers, monitor: allowed unchanged, the scanners named in X-Guard-Output-Flagged', () => {
    const v = scan(
      { noCode: { enabled: true, action: 'monitor' }, secrets: { enabled: true, action: 'monitor' }, banSubstrings: { enabled: true, action: 'monitor', substrings: ['Nightingale'], defaultList: false } },
      `Project Nightingale: run \`ls\` with ${KEY} and \`pwd\`.`,
    );
    assert.equal(v.allow, true);
    assert.equal(v.body, undefined, 'the answer goes as the backend sent it');
    assert.deepEqual(v.headers, { 'X-Guard-Output-Flagged': 'BanSubstrings, NoCode, Secrets' });
    assert.deepEqual(scan({ noCode: { enabled: true, action: 'monitor' } }, 'plain text').headers, {});
  });

  test('whole answers, block still blocks; monitored findings before it are named too', () => {
    const v = scan({ maliciousUrls: { enabled: true, action: 'monitor' }, banSubstrings: { enabled: true, substrings: ['Nightingale'], defaultList: false } }, 'See https://bit.ly/x for Project Nightingale');
    assert.equal(v.allow, false);
    assert.equal(v.code, 'guard_output_blocked');
    assert.deepEqual(v.guard, { scanner: 'BanSubstrings', reason: 'matched banned substring #1', language: 'en' });
    assert.deepEqual(v.headers, { 'X-Guard-Output-Flagged': 'MaliciousURLs', 'X-Guard-Output-Blocked-By': 'BanSubstrings' });
  });

  test('whole answers, secrets: redact (default), block, monitor', () => {
    const text = `the key is ${KEY}.`;
    const redacted = scan({ secrets: { enabled: true } }, text);
    assert.equal(redacted.allow, true);
    assert.doesNotMatch(redacted.body!, new RegExp(KEY));
    assert.match(redacted.body!, /\[REDACTED\]/);
    assert.deepEqual(redacted.headers, { 'X-Guard-Output-Redacted': 'Secrets' });
    const blocked = scan({ secrets: { enabled: true, action: 'block' } }, text);
    assert.equal(blocked.allow, false);
    assert.equal(blocked.guard?.scanner, 'Secrets');
    const monitored = scan({ secrets: { enabled: true, action: 'monitor' } }, text);
    assert.equal(monitored.allow, true);
    assert.equal(monitored.body, undefined);
    assert.deepEqual(monitored.headers, { 'X-Guard-Output-Flagged': 'Secrets' });
  });

  test('whole answers, toxicity: monitor lets the answer through', () => {
    const insult = 'You are a worthless idiot and a piece of shit.';
    assert.equal(scan({ toxicity: { enabled: true } }, insult).guard?.scanner, 'Toxicity');
    const v = scan({ toxicity: { enabled: true, action: 'monitor' } }, insult);
    assert.equal(v.allow, true);
    assert.deepEqual(v.headers, { 'X-Guard-Output-Flagged': 'Toxicity' });
  });
});

describe('folding', () => {
  test('keeps the length, lower-cases, folds apostrophes, commas and spaces', () => {
    const fold = createFolder();
    assert.equal(fold('I’M SORRY，BUT\tÉ\u00a0X、Y،Z\nİ'), "i'm sorry,but é x,y,z İ", "node lower-cases 'İ' to two units: kept");
    for (const s of ['İstanbul', '😀 AbC 𠀀', 'ǅ ß ẞ Σ', '\u2018\u2019\u02bc']) assert.equal(fold(s).length, s.length, s);
  });
});

describe('framing', () => {
  function frames(framer: ReturnType<typeof createSseFramer>, chunks: string[]): string[] {
    const out: string[] = [];
    for (const c of chunks) framer.push(c, (u) => out.push(u));
    return out;
  }

  test('SSE: events end at a blank line, LF or CRLF, split anywhere', () => {
    const body = 'data: a\n\n: ping\r\n\r\ndata: b\ndata: c\n\nevent: x\ndata: d\r\n\r\n';
    const want = ['data: a\n\n', ': ping\r\n\r\n', 'data: b\ndata: c\n\n', 'event: x\ndata: d\r\n\r\n'];
    for (let cut = 0; cut <= body.length; cut++) {
      const f = createSseFramer();
      assert.deepEqual(frames(f, [body.slice(0, cut), body.slice(cut)]), want, `cut at ${cut}`);
      assert.equal(f.rest(), '');
    }
    const f = createSseFramer();
    assert.deepEqual(frames(f, ['data: x\r\n\r']), []);
    assert.equal(f.rest(), 'data: x\r\n\r');
  });

  test('SSE data', () => {
    assert.equal(sseData('data: {"a":1}\n\n'), '{"a":1}');
    assert.equal(sseData('data: {"a":1}\r\n\r\n'), '{"a":1}');
    assert.equal(sseData('data:x\ndata:  y\n\n'), 'x\n y');
    assert.equal(sseData('data\n\n'), '');
    assert.equal(sseData(': ping\n\n'), null);
    assert.equal(sseData('event: x\nid: 1\n\n'), null);
    assert.equal(sseData('dataset: 1\n\n'), null);
  });

  test('NDJSON: one unit per line, with its newline', () => {
    const body = '{"a":1}\n\n{"b":2}\r\n{"c":3}';
    for (let cut = 0; cut <= body.length; cut++) {
      const f = createNdjsonFramer();
      assert.deepEqual(frames(f, [body.slice(0, cut), body.slice(cut)]), ['{"a":1}\n', '\n', '{"b":2}\r\n'], `cut at ${cut}`);
      assert.equal(f.rest(), '{"c":3}');
    }
  });
});
