// Builds njs/main.ts into the single module nginx loads with js_import (dist/njs/gateway.js).
import { babel } from '@rollup/plugin-babel';
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lazyFunctions } from './lazy-functions.mjs';

const extensions = ['.ts', '.js'];

// njs 0.7.9 accepts only `export default <expr>`; rollup emits `export { x as default }`.
const njsDefaultExport = {
  name: 'njs-default-export',
  renderChunk(code) {
    return code.replace(/export \{ (\w+) as default \};?/, 'export default $1;');
  },
};

export default {
  input: 'njs/main.ts',
  output: { file: 'dist/njs/gateway.js', format: 'es' },
  // njs built-in modules, imported by the bundle as they are.
  external: ['crypto'],
  plugins: [
    nodeResolve({ extensions }),
    commonjs(),
    babel({
      babelHelpers: 'bundled',
      extensions,
      babelrc: false,
      configFile: false,
      presets: ['@babel/preset-typescript', 'babel-preset-njs'],
      plugins: [['@babel/plugin-transform-class-properties', { loose: true }]],
    }),
    lazyFunctions(resolve(dirname(fileURLToPath(import.meta.url)), '..')),
    njsDefaultExport,
  ],
};
