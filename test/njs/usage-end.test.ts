// njs/usage/parse-usage.ts in the real njs 0.7.9 engine: a whole answer's usage, read from the body's
// end, must be what a parse of the whole body gives, for every body of test/harness/usage-bodies.ts.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { usageBodies, wholeParseEnd } from '../harness/usage-bodies.ts';
import { ROOT, runInNjs } from './njs-run.ts';

// The test driver, bundled with the parser. Plain ES5: it runs in njs as written.
const ENTRY = `import { parseAnswerEnd } from ${JSON.stringify(join(ROOT, 'njs/usage/parse-usage.ts'))};
function run(cases) {
  var out = [];
  for (var k = 0; k < cases.length; k++) {
    try {
      var end = parseAnswerEnd(Buffer.from(cases[k]), true, 'json');
      out.push({ terminal: end.terminal, promptTokens: end.promptTokens, completionTokens: end.completionTokens });
    } catch (e) {
      out.push({ threw: String(e) });
    }
  }
  return out;
}
export default { run: run };
`;

describe('answer end in the real njs engine', () => {
  it('reads each whole body as a parse of the whole body does', async () => {
    const bodies = usageBodies();
    const run = await runInNjs<Record<string, unknown>>(ENTRY, 'usage-test.js', bodies);
    try {
      // JSON drops undefined fields on the way back from njs: compare in that form.
      bodies.forEach((text, i) => assert.deepEqual(run.results[i], JSON.parse(JSON.stringify(wholeParseEnd(text))), text));
    } finally {
      rmSync(run.dir, { recursive: true, force: true });
    }
  });
});
