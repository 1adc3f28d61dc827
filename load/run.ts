// `npm run load:<scenario>`: tsx load/run.ts <scenario> [--summary-export FILE]; exits with k6's status.
import { parseArgs } from 'node:util';
import { runScenario, SCENARIOS, type Scenario } from './runner.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { 'summary-export': { type: 'string' } } });
const scenario = positionals[0] as Scenario;
if (positionals.length !== 1 || !SCENARIOS.includes(scenario)) {
  console.error(`usage: tsx load/run.ts <${SCENARIOS.join('|')}> [--summary-export FILE]`);
  process.exit(2);
}

try {
  process.exitCode = await runScenario(scenario, { summaryExport: values['summary-export'] });
} catch (err) {
  console.error(`load ${scenario}: ${(err as Error).message}`);
  process.exitCode = 1;
}
