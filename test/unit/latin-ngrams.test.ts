// sidecar/language/latin-ngrams.ts: eld's scoring on the Latin locales' n-grams only answers as eld on
// its whole small database restricted to the same languages, and the committed database is the one
// derived from the installed eld.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import eldSmall from 'eld/small';
import { LANGUAGES } from '../../core/i18n/languages.ts';
import { catalogueFor } from '../../core/i18n/messages.ts';
import { ELD_LATIN, guessLatin } from '../../sidecar/language/latin-ngrams.ts';
import { latinNgrams, smallNgrams } from '../../training/latin-ngrams.ts';
import { seededRandom } from '../../scripts/seeded-random.ts';

test('the committed latin-ngrams.json is the one derived from the installed eld', async () => {
  const committed = JSON.parse(readFileSync(new URL('../../sidecar/language/latin-ngrams.json', import.meta.url), 'utf8')) as unknown;
  assert.deepEqual(committed, await latinNgrams(), 'run: npx tsx scripts/derive-latin-ngrams.ts');
});

test('guessLatin gives eld\'s language, two best scores and reliability on its whole database', async () => {
  const eld = eldSmall.newInstance();
  eld.setLanguageSubset(ELD_LATIN);
  // Real sentences in all 15 locales (the error catalogue), their words shuffled into new texts, and
  // words made of the database's own ASCII n-grams.
  const sentences = LANGUAGES.flatMap((lang) => Object.values(catalogueFor(lang).messages) as string[]);
  const words = sentences.flatMap((s) => s.split(/\s+/));
  const asciiNgrams = Object.keys((await smallNgrams()).ngrams).filter((g) => /^[ -~]+$/.test(g));
  const random = seededRandom(16);
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
  const texts = [...sentences];
  for (let i = 0; i < 1000; i++) texts.push(Array.from({ length: 1 + Math.floor(random() * 12) }, () => pick(words)).join(' '));
  for (let i = 0; i < 1000; i++) texts.push(Array.from({ length: 1 + Math.floor(random() * 8) }, () => pick(asciiNgrams).trim() + pick(asciiNgrams).trim()).join(' '));
  let latin = 0;
  for (const text of texts) {
    const a = eld.detect(text);
    const scores = Object.values(a.getScores());
    assert.deepEqual(guessLatin(text), { language: a.language, top: scores[0] ?? 0, second: scores[1] ?? 0, reliable: a.isReliable() }, text);
    if (a.language) latin++;
  }
  assert.ok(latin > texts.length / 2, `${latin} of ${texts.length} texts got a language`);
});
