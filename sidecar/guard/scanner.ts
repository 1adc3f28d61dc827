// The one interface every guard scanner implements (input and output side alike). A scanner has one
// job, is pure and synchronous, and says how sure it is; the pipeline decides what to do about it.

export interface ScanContext {
  /** Detected language of the prompt (primary subtag: en, zh, ru, …). */
  lang: string;
  /** Model the request is for (limits per model). */
  model?: string;
  direction: 'input' | 'output';
}

export interface ScanResult {
  /** 0..1: how sure the scanner is that the text is bad (1 for rule hits). */
  score: number;
  /** score ≥ the scanner's threshold (or a rule matched). */
  flagged: boolean;
  /** Why, as a short English phrase for logs and headers ("matched rule aws-access-token"). */
  reason?: string;
  /** Redact-capable scanners: the text with every finding replaced. */
  redacted?: string;
  /** Values for the placeholders of the scanner's localized message ({tokens}, {limit}). */
  params?: Record<string, string>;
}

export interface Scanner {
  /** Config and header name: "PromptInjection", "Secrets", … */
  readonly name: string;
  scan(text: string, ctx: ScanContext): ScanResult;
}
