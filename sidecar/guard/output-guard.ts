// The output side of the guard for whole (non-streamed) answers: njs hands the backend's answer to
// the sidecar before the client sees it. The same rules as on streams (njs/output/rules.ts), plus
// what only the sidecar can afford: every gitleaks rule (findings redacted by default) and Toxicity.
// A scanner in monitor mode lets the answer through unchanged and is named in X-Guard-Output-Flagged.
import type { OutputGuardConfig } from '../../config/schema.ts';
import { OUTPUT_BLOCKED_HEADER, OUTPUT_FLAGGED_HEADER, OUTPUT_REDACTED_HEADER, type GuardVerdict } from '../../njs/contract.ts';
import { localize } from '../../njs/i18n/messages.ts';
import { compileRules, createMonitorLog, type CompiledRules } from '../../njs/output/rules.ts';
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
  private readonly secrets?: { scanner: Scanner; action: OutputGuardConfig['secrets']['action'] };
  private readonly toxicity?: { scanner: Scanner; action: OutputGuardConfig['toxicity']['action'] };

  constructor(cfg: OutputGuardConfig) {
    const rules = outputRules(cfg);
    // Secrets on whole answers: the full scanner below instead of the stream subset.
    if (rules) this.rules = compileRules({ ...rules, secrets: false });
    if (cfg.secrets.enabled) this.secrets = { scanner: createSecretsScanner({ redactMode: 'all' }), action: cfg.secrets.action };
    if (cfg.toxicity.enabled) {
      this.toxicity = { scanner: createToxicityScanner({ threshold: cfg.toxicity.threshold, useModel: true }), action: cfg.toxicity.action };
    }
  }

  scan(route: string, answerText: string, lang: string): GuardVerdict {
    let answer: Obj;
    try {
      answer = JSON.parse(answerText) as Obj;
    } catch {
      return { allow: true, lang };
    }
    const texts = answerTexts(route, answer);
    const { rules, toxicity, secrets } = this;
    // Scanners in monitor mode that flagged a text; the rules skip a scanner once it is in their log.
    const flagged = new Set<string>();
    const log = createMonitorLog();
    let redacted = false;
    for (const t of texts) {
      const framed = `\n${t.text}\n`;
      const hit = rules?.scan({ raw: framed, folded: rules.fold(framed), base: 0, urlsDone: 0 }, log);
      for (const f of log.flagged) flagged.add(f.scanner);
      if (hit) return this.block(lang, hit.scanner, hit.reason, flagged);
      const tox = toxicity?.scanner.scan(t.text, { lang, direction: 'output' });
      if (tox?.flagged && toxicity?.action === 'block') return this.block(lang, 'Toxicity', tox.reason ?? 'flagged', flagged);
      if (tox?.flagged) flagged.add('Toxicity');
      const sec = secrets?.scanner.scan(t.text, { lang, direction: 'output' });
      if (!sec?.flagged) continue;
      if (secrets?.action === 'monitor') flagged.add('Secrets');
      // Nothing to redact with (the scan ran out of time): fail closed.
      else if (secrets?.action === 'block' || sec.redacted === undefined) return this.block(lang, 'Secrets', sec.reason ?? 'flagged', flagged);
      else {
        t.set(sec.redacted);
        redacted = true;
      }
    }
    const headers = flaggedHeader(flagged);
    if (redacted) headers[OUTPUT_REDACTED_HEADER] = 'Secrets';
    return { allow: true, lang, body: redacted ? JSON.stringify(answer) : undefined, headers };
  }

  private block(lang: string, scanner: string, reason: string, flagged: Set<string>): GuardVerdict {
    const msg = localize(lang, 'guard_output_blocked', { scanner });
    return {
      allow: false,
      lang: msg.lang,
      status: 400,
      code: 'guard_output_blocked',
      message: msg.text,
      guard: { scanner, reason, language: lang },
      headers: { ...flaggedHeader(flagged), [OUTPUT_BLOCKED_HEADER]: scanner },
    };
  }
}

function flaggedHeader(flagged: Set<string>): Record<string, string> {
  return flagged.size > 0 ? { [OUTPUT_FLAGGED_HEADER]: [...flagged].join(', ') } : {};
}
