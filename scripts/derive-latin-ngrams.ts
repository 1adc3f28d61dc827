// Writes sidecar/language/latin-ngrams.json (committed; Apache-2.0, attribution inside): eld's small
// n-gram database restricted to the Latin-script locales (training/latin-ngrams.ts).
//
//   npx tsx scripts/derive-latin-ngrams.ts
import { writeFileSync } from 'node:fs';
import { latinNgrams } from '../training/latin-ngrams.ts';

const out = new URL('../sidecar/language/latin-ngrams.json', import.meta.url);
const file = await latinNgrams();
writeFileSync(out, `${JSON.stringify(file)}\n`);
console.log(`${Object.keys(file.ngrams).length} n-grams → ${out.pathname}`);
