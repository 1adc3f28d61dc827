// gateway keys create | list | rotate | disable | enable | delete: the API keys in the config file.
// A secret is printed once and never stored: the config holds its SHA-256. Edits go through the yaml
// Document API, so the file keeps its comments and layout, and the result is validated before it is written.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { isMap, isSeq, parseDocument, YAMLMap, type Document } from 'yaml';
import { validateConfig } from '../config/load.ts';
import type { GatewayConfig } from '../config/schema.ts';
import { formatTable } from './table.ts';

/** 32 random bytes: far beyond guessing, so a fast hash of it is as good as a slow one. */
export function newSecret(): string {
  return `gw-${randomBytes(32).toString('base64url')}`;
}

export function hashSecret(secret: string): string {
  return `sha256:${createHash('sha256').update(secret).digest('hex')}`;
}

export interface KeyOptions {
  models?: string[];
  requestsPerMinute?: number;
  burst?: number;
  maxConcurrent?: number;
  tokensPerMinute?: number;
  label?: string;
}

// Validates the edited document as the gateway would load it (duplicate ids, hash format, limits).
function checked(doc: Document, file: string): string {
  validateConfig(doc.toJS(), file);
  return doc.toString();
}

function keyEntry(doc: Document, id: string): YAMLMap {
  const keys = doc.getIn(['auth', 'keys']);
  const entry = isSeq(keys) ? keys.items.find((k) => isMap(k) && k.get('id') === id) : undefined;
  if (!isMap(entry)) throw new Error(`no key "${id}" in the config`);
  return entry;
}

/** The config text with a new key entry (its hash, never the secret). */
export function addKey(text: string, file: string, id: string, hash: string, opts: KeyOptions = {}): string {
  const doc = parseDocument(text);
  const entry: Record<string, unknown> = { id, hash };
  if (opts.label !== undefined) entry.label = opts.label;
  if (opts.models !== undefined) entry.models = opts.models;
  for (const field of ['requestsPerMinute', 'burst', 'maxConcurrent', 'tokensPerMinute'] as const) {
    if (opts[field] !== undefined) entry[field] = opts[field];
  }
  const keys = doc.getIn(['auth', 'keys']);
  if (isSeq(keys)) {
    // "keys: []" is a flow sequence; entries read better one field a line.
    keys.flow = false;
    keys.add(doc.createNode(entry));
  }
  else doc.setIn(['auth', 'keys'], doc.createNode([entry]));
  return checked(doc, file);
}

/** The config text with one key changed: a new hash (rotate), enabled or not. */
export function changeKey(text: string, file: string, id: string, change: { hash?: string; enabled?: boolean }): string {
  const doc = parseDocument(text);
  const entry = keyEntry(doc, id);
  if (change.hash !== undefined) entry.set('hash', change.hash);
  // enabled defaults to true: say only "false".
  if (change.enabled === false) entry.set('enabled', false);
  if (change.enabled === true) entry.delete('enabled');
  return checked(doc, file);
}

export function deleteKey(text: string, file: string, id: string): string {
  const doc = parseDocument(text);
  const keys = doc.getIn(['auth', 'keys']);
  const entry = keyEntry(doc, id);
  if (isSeq(keys)) keys.items.splice(keys.items.indexOf(entry), 1);
  return checked(doc, file);
}

/** One line for the start-up output: whether keys are asked for, and how many there are. */
export function describeAuth(config: GatewayConfig): string {
  if (!config.auth.enabled) return 'auth: OFF (auth.enabled: false): every client that reaches the gateway may use every model';
  const keys = config.auth.keys;
  if (keys.length === 0) return 'auth: on, 0 keys: every request gets 401; create one with `npm run gateway -- keys create <id>`';
  const disabled = keys.filter((k) => !k.enabled).length;
  return `auth: on, ${keys.length} key${keys.length === 1 ? '' : 's'}${disabled ? ` (${disabled} disabled)` : ''}`;
}

function table(config: GatewayConfig): string {
  const rows = [['id', 'enabled', 'models', 'rpm', 'burst', 'concurrent', 'tpm', 'label']];
  const n = (v: number | undefined) => (v === undefined ? '-' : String(v));
  for (const k of config.auth.keys) {
    rows.push([k.id, k.enabled ? 'yes' : 'no', k.models.join(','), n(k.requestsPerMinute), n(k.burst), n(k.maxConcurrent), n(k.tokensPerMinute), k.label ?? '']);
  }
  return formatTable(rows);
}

/** `--name value` flags after the key id. */
function flags(args: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    if (!args[i].startsWith('--')) continue;
    const value = args[i + 1];
    if (value === undefined || value.startsWith('--')) throw new Error(`${args[i]} needs a value`);
    out.set(args[i].slice(2), value);
    i++;
  }
  return out;
}

function count(f: Map<string, string>, name: string): number | undefined {
  const v = f.get(name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new Error(`--${name} expects a whole number, got "${v}"`);
  return Number(v);
}

export const KEYS_USAGE = `usage: gateway keys <command> [--config FILE]
  create <id> [--models 'llama*,qwen2.5:*'] [--rpm N] [--burst N] [--concurrency N] [--tpm N] [--label TEXT]
             add a key; its secret is printed once (the config keeps only its SHA-256)
  list       the keys and their limits (never a secret)
  rotate <id>   a new secret for the key; the old one stops working at the next reload
  disable <id> | enable <id> | delete <id>
Changes apply when the gateway re-reads its config: npm run gateway -- reload`;

function printSecret(what: string, secret: string): void {
  console.log(`${what}. Its secret, shown only now:\n\n  ${secret}\n
Clients send it as "Authorization: Bearer <secret>" (or "x-api-key: <secret>").
Apply it: npm run gateway -- reload`);
}

export function keysCommand(args: string[], file: string): void {
  const [command, id] = args;
  const text = () => readFileSync(file, 'utf8');
  if (command === 'list') {
    console.log(table(validateConfig(parseDocument(text()).toJS(), file).config));
    return;
  }
  if (!id || id.startsWith('--') || !['create', 'rotate', 'disable', 'enable', 'delete'].includes(command)) {
    console.log(KEYS_USAGE);
    process.exitCode = 2;
    return;
  }
  if (command === 'create') {
    const f = flags(args.slice(2));
    const secret = newSecret();
    const models = f.get('models')?.split(/[,\s]+/).filter((m) => m !== '');
    const opts: KeyOptions = {
      models,
      label: f.get('label'),
      requestsPerMinute: count(f, 'rpm'),
      burst: count(f, 'burst'),
      maxConcurrent: count(f, 'concurrency'),
      tokensPerMinute: count(f, 'tpm'),
    };
    const next = addKey(text(), file, id, hashSecret(secret), opts);
    writeFileSync(file, next);
    printSecret(`created key "${id}" in ${file}`, secret);
    if (!validateConfig(parseDocument(next).toJS(), file).config.auth.enabled) console.log('Note: auth.enabled is false in this config, so keys are not asked for.');
    return;
  }
  if (command === 'rotate') {
    const secret = newSecret();
    writeFileSync(file, changeKey(text(), file, id, { hash: hashSecret(secret) }));
    printSecret(`new secret for key "${id}" in ${file}; the old one stops working at the next reload`, secret);
    return;
  }
  if (command === 'delete') writeFileSync(file, deleteKey(text(), file, id));
  else writeFileSync(file, changeKey(text(), file, id, { enabled: command === 'enable' }));
  console.log(`${command}d key "${id}" in ${file}; apply it: npm run gateway -- reload`);
}
