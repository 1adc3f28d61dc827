// Every input scanner, in the order they run: cheapest first, so a cheap block spares the costly ones.
// A new scanner is its own file (with its spec: config key, options, message, abilities), a line
// here and its message in the catalogues; the config schema, the input guard and the docs follow.
import { banSubstrings } from './scanners/ban-substrings.ts';
import { invisibleText } from './scanners/invisible-text.ts';
import { promptInjection } from './scanners/prompt-injection.ts';
import { regex } from './scanners/regex.ts';
import { secrets } from './scanners/secrets.ts';
import { tokenLimit } from './scanners/token-limit.ts';
import { toxicity } from './scanners/toxicity.ts';

export const INPUT_SCANNERS = [invisibleText, tokenLimit, banSubstrings, regex, secrets, promptInjection, toxicity] as const;
