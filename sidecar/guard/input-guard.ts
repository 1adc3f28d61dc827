// The input side of the guard: builds the configured scanners once, then for each /_admit request
// finds the text the model will see, detects its language and runs the scanners, cheapest first.
import type { GuardAction, InputGuardConfig } from '../../config/schema.ts';
import type { GuardVerdict } from '../../core/contract.ts';
import { localize, type MessageKey } from '../../core/i18n/messages.ts';
import { findingAction } from '../../core/output/finding-action.ts';
import { detectLanguage } from '../language/detect.ts';
import { promptText, userText, type Segment } from './prompt-text.ts';
import { INPUT_SCANNERS } from './input-scanners.ts';
import { countTokensWithin } from './scanners/token-limit.ts';
import type { Scanner } from './scanner.ts';

interface Step {
  scanner: Scanner;
  action: GuardAction;
  /** Catalogue key of the localized block message. */
  message: MessageKey;
  /** Scans the whole prompt at once (limits) instead of each segment. */
  whole?: boolean;
}

export interface ScannerOutcome {
  scanner: string;
  score: number;
  flagged: boolean;
  action: GuardAction;
  ms: number;
}

export interface GuardOutcome {
  verdict: GuardVerdict;
  /** The prompt's tokens, at most the cap the caller asked to count to (token quotas), from this one parse. */
  promptTokens?: number;
  results: ScannerOutcome[];
  /** Which scanner blocked and why, for the operator's log (the client's verdict says less by default). */
  blocked?: { scanner: string; reason: string; language: string };
}

// The enabled scanners of the registry, built once per config.
function steps(cfg: InputGuardConfig): Step[] {
  const out: Step[] = [];
  for (const spec of INPUT_SCANNERS) {
    const options = cfg[spec.key];
    if (!options.enabled) continue;
    out.push({ scanner: (spec.create as (o: typeof options) => Scanner)(options), action: options.action, message: spec.message, whole: spec.whole });
  }
  return out;
}

function refusal(lang: string, status: number, code: MessageKey, params: Record<string, string>): GuardVerdict {
  const msg = localize(lang, code, params);
  return { allow: false, lang: msg.lang, status, code, message: msg.text };
}

// Header values must be plain ASCII.
const ascii = (s: string) => s.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);

export class InputGuard {
  private readonly steps: Step[];

  constructor(private readonly cfg: InputGuardConfig) {
    this.steps = steps(cfg);
  }

  /** `tokenCap`: also count the prompt's tokens, up to this many (the key's token quota). */
  admit(route: string, bodyText: string, acceptLanguage?: string | string[], tokenCap?: number): GuardOutcome {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(bodyText) as Record<string, unknown>;
    } catch {
      // njs validates the body before it asks; a body it let through is not ours to refuse.
      return { verdict: { allow: true, lang: detectLanguage('', { acceptLanguage }).lang }, results: [], promptTokens: 0 };
    }
    const { segments, unscannable } = promptText(route, body);
    // Counted before any redaction, as the quota counts what the client sent.
    const promptTokens = tokenCap === undefined ? undefined : (countTokensWithin(segments.map((s) => s.text).join('\n'), tokenCap) ?? tokenCap);
    const lang = detectLanguage(userText(segments), { acceptLanguage }).lang;
    const refused = this.refuseUnchecked(lang, segments, unscannable);
    if (refused) return { verdict: refused, results: [], promptTokens };
    const ctx = { lang, model: typeof body.model === 'string' ? body.model : undefined, direction: 'input' as const };
    const results: ScannerOutcome[] = [];
    const redactedBy: string[] = [];

    for (const step of this.steps) {
      const started = performance.now();
      const texts = step.whole ? [segments.map((s) => s.text).join('\n')] : segments.map((s) => s.text);
      let score = 0;
      let flagged = false;
      let reason: string | undefined;
      let params: Record<string, string> | undefined;
      // Any text the finding cannot be rewritten in (Secrets out of time, a whole-prompt limit) stops the request.
      let blocks = false;
      texts.forEach((text, i) => {
        const r = step.scanner.scan(text, ctx);
        score = Math.max(score, r.score);
        if (!r.flagged) return;
        flagged = true;
        reason ??= r.reason;
        params ??= r.params;
        const what = findingAction(step.action, r.redacted !== undefined && !step.whole);
        if (what === 'block') blocks = true;
        else if (what === 'redact') {
          segments[i].set(r.redacted!);
          segments[i].text = r.redacted!;
        }
      });
      const name = step.scanner.name;
      results.push({ scanner: name, score, flagged, action: step.action, ms: performance.now() - started });
      if (flagged && step.action === 'redact' && !blocks) redactedBy.push(name);
      if (blocks) {
        const msg = localize(lang, step.message, { scanner: name, ...params });
        return {
          verdict: {
            allow: false,
            lang: msg.lang,
            status: 400,
            code: step.message,
            message: msg.text,
            guard: this.cfg.exposeDetails ? { scanner: name, reason: reason ?? 'flagged', language: lang } : { scanner: name, language: lang },
            headers: this.headers(lang, results, redactedBy, this.cfg.exposeDetails ? { 'X-Guard-Blocked-By': name, 'X-Guard-Reason': ascii(reason ?? 'flagged') } : { 'X-Guard-Blocked-By': name }),
          },
          results,
          blocked: { scanner: name, reason: reason ?? 'flagged', language: lang },
          promptTokens,
        };
      }
    }
    return {
      verdict: {
        allow: true,
        lang,
        body: redactedBy.length > 0 ? JSON.stringify(body) : undefined,
        headers: this.headers(lang, results, redactedBy),
      },
      results,
      promptTokens,
    };
  }

  /** A refusal before any scanner runs: text no scanner can read, or more text than one request may cost. */
  private refuseUnchecked(lang: string, segments: Segment[], unscannable: string | undefined): GuardVerdict | undefined {
    if (unscannable !== undefined && this.cfg.unscannable === 'refuse') return refusal(lang, 400, 'guard_unscannable', { field: unscannable });
    let chars = 0;
    for (const s of segments) chars += s.text.length;
    const { maxTextFields, maxTextChars } = this.cfg;
    if (segments.length > maxTextFields || chars > maxTextChars) {
      return refusal(lang, 413, 'guard_text_too_large', { fields: String(segments.length), chars: String(chars), maxFields: String(maxTextFields), maxChars: String(maxTextChars) });
    }
    return undefined;
  }

  private headers(lang: string, results: ScannerOutcome[], redactedBy: string[], extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { 'X-Guard-Language': lang, ...extra };
    if (this.cfg.exposeDetails) h['X-Guard-Scores'] = results.map((r) => `${r.scanner}=${r.score.toFixed(2)}`).join(', ') || '-';
    const monitored = results.filter((r) => r.flagged && r.action === 'monitor').map((r) => r.scanner);
    if (monitored.length > 0) h['X-Guard-Flagged'] = monitored.join(', ');
    if (redactedBy.length > 0) h['X-Guard-Redacted'] = redactedBy.join(', ');
    return h;
  }
}
