// Types of njs/lazy-functions.mjs for the tests that import it.
import type { Plugin } from 'rollup';

export const COLD_MODULES: string[];
export const HOT_MODULES: string[];
export function lazyFunctions(root: string): Plugin;
