// What a scanner's finding does under its configured action, on prompts, whole answers and streams
// alike: monitor records it and lets the text go on; redact rewrites it where the scanner produced a
// rewritten text, and otherwise stops the text as block does (fail closed: a stream cannot be
// rewritten, a scan may run out of time).
export type FindingAction = 'flag' | 'redact' | 'block';

export function findingAction(action: string, rewritten: boolean): FindingAction {
  if (action === 'monitor') return 'flag';
  if (action === 'redact' && rewritten) return 'redact';
  return 'block';
}
