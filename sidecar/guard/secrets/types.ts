// Shape of gitleaks-rules.json, written by scripts/convert-gitleaks.ts and loaded by engine.ts.

/** A gitleaks RE2 pattern translated to JavaScript (training/re2.ts). */
export interface Converted {
  /** JavaScript RegExp source, to be compiled with `flags` (plus `g`/`d`/`y` as needed). */
  source: string;
  /** 'u', or 'iu' when the whole pattern is case-insensitive (see convertRe2). */
  flags: 'u' | 'iu';
  /** Number of capture groups (same numbering as in Go). */
  groups: number;
  /** Longest possible match in code points, or null if unbounded. */
  maxLength: number | null;
  /** Faster equivalent search plan for some patterns; see FastForm. */
  fast?: FastForm;
  /** Line-dominance skip for `GATE (?:.*…|.*…)` patterns; see LineSkip. */
  lineSkip?: LineSkip;
}

/**
 * The pattern as its top-level alternatives (one if there is no top-level `|`), each searched on its
 * own; the leftmost match of the whole pattern is the leftmost of theirs, ties going to the earlier
 * alternative. An alternative of the form `R1{0,a1}? … Rk{0,ak}? CORE` (leading lazy, optional,
 * bounded character runs — gitleaks' `[\w.-]{0,50}?` template) is searched as CORE alone, and its start
 * found by extending backwards over the runs: see engine.ts. `groupOffset` = capture groups before
 * the alternative (their numbers stay those of the whole pattern).
 */
export interface FastForm {
  alternatives: {
    /** The leading lazy runs as an anchored pattern (for readers; the engine uses `prefix`). */
    prefixSource?: string;
    prefix?: { ranges: [number, number][]; max: number }[];
    core: string;
    groupOffset: number;
  }[];
}

/**
 * For `GATE REST` where GATE is fixed-width and every alternative of REST starts with `.*` / `.*?`
 * (gitleaks' curl rules): if REST fails after GATE at p, it also fails after GATE at any later p' on
 * the same line (whatever REST can reach from p' it can reach from p by letting `.*` absorb the
 * characters in between). So after a failed attempt the engine skips to the next line instead of
 * retrying at every later GATE on this one — linear instead of quadratic on long lines.
 */
export interface LineSkip {
  gate: string;
  gateLength: number;
}


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
