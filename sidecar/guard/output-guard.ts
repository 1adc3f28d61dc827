// The output side of the guard for whole (non-streamed) answers: njs hands the backend's answer to
// the sidecar before the client sees it. The same rules as on streams (njs/output/rules.ts), plus
// what only the sidecar can afford: every gitleaks rule (findings redacted) and Toxicity.
import type { OutputGuardConfig } from '../../config/schema.ts';
import type { AdmitVerdict } from '../../njs/contract.ts';
import { localize } from '../../njs/i18n/messages.ts';
import { compileRules, type CompiledRules } from '../../njs/output/rules.ts';
import { outputRules } from '../../nginx/render/output-rules.ts';
import type { Scanner } from './scanner.ts';
import { createSecretsScanner } from './scanners/secrets.ts';
import { createToxicityScanner } from './scanners/toxicity.ts';

type Obj = Record<string, unknown>;
interface AnswerText {
  text: string;
  set(text: string): void;
}

/** The generated text of a non-streamed answer, writable (redaction). */
export function answerTexts(route: string, answer: Obj): AnswerText[] {
  const out: AnswerText[] = [];
  const field = (holder: unknown, key: string) => {
    if (holder && typeof holder === 'object' && typeof (holder as Obj)[key] === 'string') {
      out.push({ text: (holder as Obj)[key] as string, set: (t) => ((holder as Obj)[key] = t) });
    }
  };
  const choices = Array.isArray(answer.choices) ? answer.choices : [];
  if (route === '/v1/chat/completions') for (const c of choices) field((c as Obj)?.message, 'content');
  else if (route === '/v1/completions') for (const c of choices) field(c, 'text');
  else if (route === '/api/chat') field(answer.message, 'content');
  else if (route === '/api/generate') field(answer, 'response');
  return out;
}

export class OutputGuard {
  private readonly rules?: CompiledRules;
  private readonly secrets?: Scanner;
  private readonly toxicity?: Scanner;

  constructor(cfg: OutputGuardConfig) {
    const rules = outputRules(cfg);
    // Secrets on whole answers: the full scanner below redacts instead of the stream subset blocking.
    if (rules) this.rules = compileRules({ ...rules, secrets: false });
    if (cfg.secrets.enabled) this.secrets = createSecretsScanner({ redactMode: 'all' });
    if (cfg.toxicity.enabled) this.toxicity = createToxicityScanner({ threshold: cfg.toxicity.threshold, useModel: true });
  }

  scan(route: string, answerText: string, lang: string): AdmitVerdict {
    let answer: Obj;
    try {
      answer = JSON.parse(answerText) as Obj;
    } catch {
      return { allow: true, lang };
    }
    const texts = answerTexts(route, answer);
    const redacted: string[] = [];
    for (const t of texts) {
      const framed = `\n${t.text}\n`;
      const hit = this.rules?.scan({ raw: framed, folded: this.rules.fold(framed), base: 0, urlsDone: 0 });
      if (hit) return this.block(lang, hit.scanner, hit.reason);
      const tox = this.toxicity?.scan(t.text, { lang, direction: 'output' });
      if (tox?.flagged) return this.block(lang, 'Toxicity', tox.reason ?? 'flagged');
      const sec = this.secrets?.scan(t.text, { lang, direction: 'output' });
      if (sec?.flagged && sec.redacted !== undefined) {
        t.set(sec.redacted);
        redacted.push('Secrets');
      }
    }
    if (redacted.length === 0) return { allow: true, lang };
    return { allow: true, lang, body: JSON.stringify(answer), headers: { 'X-Guard-Output-Redacted': 'Secrets' } };
  }

  private block(lang: string, scanner: string, reason: string): AdmitVerdict {
    const msg = localize(lang, 'guard_output_blocked', { scanner });
    return {
      allow: false,
      lang: msg.lang,
      status: 400,
      code: 'guard_output_blocked',
      message: msg.text,
      guard: { scanner, reason, language: lang },
      headers: { 'X-Guard-Output-Blocked-By': scanner },
    };
  }
}
