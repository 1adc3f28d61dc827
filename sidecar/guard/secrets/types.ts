import type { Converted } from './re2.ts';

// Shape of gitleaks-rules.json, written by scripts/convert-gitleaks.ts and loaded by engine.ts.

export interface RegexJson {
  /** The original Go RE2 pattern from gitleaks.toml. */
  re2: string;
  /** JavaScript RegExp source with the same meaning. */
  source: string;
  flags: 'u' | 'iu';
}

export interface AllowlistJson {
  description?: string;
  /** OR: any check allows the finding; AND: all present checks must (path/commit checks are false without a path/commit). */
  condition: 'OR' | 'AND';
  /** What `regexes` are tested against: the secret (default), the whole match, or the match's line(s). */
  regexTarget: 'secret' | 'match' | 'line';
  regexes: RegexJson[];
  /** Lower-cased; a finding is allowed when the lower-cased secret contains one. */
  stopwords: string[];
  /** File path patterns (kept for completeness; chat text has no path, so these never match). */
  paths: RegexJson[];
  commits: string[];
}

/** A converted rule: the RE2 original, its JavaScript translation (Converted) and gitleaks' settings. */
export interface RuleJson extends Converted {
  id: string;
  description: string;
  re2: string;
  /** 1-based capture group holding the secret; default: the first non-empty group, else the whole match. */
  secretGroup?: number;
  /** The secret's Shannon entropy must be above this (bits per character). */
  entropy?: number;
  /** Lower-cased; the rule runs only if the lower-cased text contains one (none: always runs). */
  keywords: string[];
  /** gitleaks only applies the rule to files whose path matches; see engine.ts for how we treat it. */
  path?: RegexJson;
  allowlists: AllowlistJson[];
}

export interface RulesFileJson {
  generatedBy: string;
  attribution: {
    project: string;
    repository: string;
    commit: string;
    path: string;
    title: string;
    minVersion: string;
    license: string;
    copyright: string;
    licenseText: string;
    changes: string;
  };
  counts: { sourceRules: number; converted: number; skipped: number };
  skipped: { id: string; reason: string }[];
  globalAllowlists: AllowlistJson[];
  rules: RuleJson[];
}
