// NoCode: fenced or inline code in the answer.
import { outputSwitch } from '../../../config/fields.ts';
import { outputScanner, SWITCH_RULE } from '../output-scanner-spec.ts';

export const noCode = outputScanner({ key: 'noCode', name: 'NoCode', redacts: false, options: outputSwitch('Fenced or inline code in the answer.'), stream: SWITCH_RULE });
