// NoRefusal: refusal phrases in the 15 languages (core/output/refusal-phrases.ts).
import { outputSwitch } from '../../../config/fields.ts';
import { outputScanner, SWITCH_RULE } from '../output-scanner-spec.ts';

export const noRefusal = outputScanner({ key: 'noRefusal', name: 'NoRefusal', redacts: false, options: outputSwitch('Refusal phrases in the 15 languages.'), stream: SWITCH_RULE });
