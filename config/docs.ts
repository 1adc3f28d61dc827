// docs/CONFIG.md is generated from the zod schema, so the reference cannot drift from the code.
import { z } from 'zod';
import { configSchema } from './schema.ts';

interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  required?: string[];
  pattern?: string;
}

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.anyOf) return s.anyOf.map(typeOf).join(' \\| ');
  if (s.type === 'array') return `list of ${s.items ? typeOf(s.items) : 'values'}`;
  if (s.type === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object') {
    return `map of name → ${typeOf(s.additionalProperties)}`;
  }
  return String(s.type ?? 'value');
}

function rows(s: JsonSchema, path: string, required: boolean, out: string[]): void {
  const isGroup = s.type === 'object' && s.properties;
  if (path && !isGroup) {
    const def = s.default === undefined ? (required ? '**required**' : '') : `\`${JSON.stringify(s.default)}\``;
    out.push(`| \`${path}\` | ${typeOf(s)} | ${def} | ${(s.description ?? '').replace(/\|/g, '\\|')} |`);
  }
  if (isGroup) {
    for (const [k, v] of Object.entries(s.properties!)) rows(v, path ? `${path}.${k}` : k, (s.required ?? []).includes(k), out);
  }
  if (s.type === 'array' && s.items?.properties) {
    for (const [k, v] of Object.entries(s.items.properties)) rows(v, `${path}[].${k}`, (s.items.required ?? []).includes(k), out);
  }
}

export function configReference(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const out: string[] = [];
  rows(schema, '', true, out);
  return `# Configuration reference

Generated from \`config/schema.ts\` by \`npm run gateway -- docs\`; do not edit by hand.
Durations are written \`500ms\`, \`5s\`, \`2m\` or \`1h\`; sizes \`512k\` or \`8m\`.

| key | type | default | description |
|---|---|---|---|
${out.join('\n')}
`;
}
