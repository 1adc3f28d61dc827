// The output side of the guard for whole (non-streamed) answers: njs hands the backend's answer to
// the sidecar before the client sees it. The same rules as on streams (core/output/rules.ts), plus
// what only the sidecar can afford, the output scanners that declare `whole`
// (core/output/output-scanners.ts): every gitleaks rule (findings redacted by default) and Toxicity.
// A scanner in monitor mode lets the answer through unchanged and is named in X-Guard-Output-Flagged.
import type { OutputGuardConfig } from '../../config/schema.ts';
import { OUTPUT_BLOCKED_HEADER, OUTPUT_FLAGGED_HEADER, OUTPUT_REDACTED_HEADER, type GuardVerdict } from '../../core/contract.ts';
import { localize } from '../../core/i18n/messages.ts';
import { findingAction } from '../../core/output/finding-action.ts';
import { compileRules, createMonitorLog, type CompiledRules } from '../../core/output/rules.ts';
import { wholeAnswerRules, type WholeAnswerKey } from '../../core/output/config-rules.ts';
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

// How the sidecar builds each output scanner that declares `whole` (core/output/output-scanners.ts),
// in the order they run on a whole answer, after the stream rules: Toxicity (streams have none) and
// the full gitleaks set in place of the streams' Secrets subset.
const WHOLE_ANSWER_SCANNERS: { [K in WholeAnswerKey]: (options: OutputGuardConfig[K]) => Scanner } = {
  toxicity: (o) => createToxicityScanner({ threshold: o.threshold, useModel: true }),
  secrets: () => createSecretsScanner({ redactMode: 'all' }),
};

interface WholeAnswerScanner {
  scanner: Scanner;
  action: string;
}

export class OutputGuard {
  private readonly rules?: CompiledRules;
  private readonly scanners: WholeAnswerScanner[] = [];

  constructor(cfg: OutputGuardConfig) {
    const rules = wholeAnswerRules(cfg);
    if (rules) this.rules = compileRules(rules);
    for (const key of Object.keys(WHOLE_ANSWER_SCANNERS) as WholeAnswerKey[]) {
      const options = cfg[key];
      const create = WHOLE_ANSWER_SCANNERS[key] as (o: typeof options) => Scanner;
      if (options.enabled) this.scanners.push({ scanner: create(options), action: options.action });
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
    const { rules } = this;
    // Scanners in monitor mode that flagged a text; the rules skip a scanner once it is in their log.
    const flagged = new Set<string>();
    const redactedBy = new Set<string>();
    const log = createMonitorLog();
    for (const t of texts) {
      const framed = `\n${t.text}\n`;
      const hit = rules?.scan({ raw: framed, folded: rules.fold(framed), base: 0, urlsDone: 0 }, log);
      for (const f of log.flagged) flagged.add(f.scanner);
      if (hit) return this.block(lang, hit.scanner, hit.reason, flagged);
      for (const { scanner, action } of this.scanners) {
        const r = scanner.scan(t.text, { lang, direction: 'output' });
        if (!r.flagged) continue;
        const what = findingAction(action, r.redacted !== undefined);
        if (what === 'block') return this.block(lang, scanner.name, r.reason ?? 'flagged', flagged);
        if (what === 'flag') flagged.add(scanner.name);
        else {
          t.set(r.redacted!);
          redactedBy.add(scanner.name);
        }
      }
    }
    const headers = flaggedHeader(flagged);
    if (redactedBy.size > 0) headers[OUTPUT_REDACTED_HEADER] = [...redactedBy].join(', ');
    return { allow: true, lang, body: redactedBy.size > 0 ? JSON.stringify(answer) : undefined, headers };
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
