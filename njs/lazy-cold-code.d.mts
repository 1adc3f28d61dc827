// Types of njs/lazy-cold-code.mjs for the tests that import it.
import type { Plugin } from 'rollup';

export const COLD_MODULES: string[];
export const HOT_MODULES: string[];
export function lazyColdCode(root: string): Plugin;
