// The knobs of Ollama's scheduler the emulator copies, checked wherever they arrive: startEmulator options,
// main.ts flags, POST /_emulator/residency.
import { isObject } from './http.ts';

export interface ResidencySettings {
  /** Time a model takes to load into memory; default 0. */
  loadMs?: number;
  /** Models in memory at once, like OLLAMA_MAX_LOADED_MODELS; default no cap. */
  maxLoadedModels?: number;
  /** Generations running at once per loaded model, like OLLAMA_NUM_PARALLEL; default no cap. */
  numParallel?: number;
  /** Requests that may wait for a load or a slot before the next gets 503, like OLLAMA_MAX_QUEUE; default no cap. */
  maxQueue?: number;
  /** How long an idle model stays loaded when its last request named no keep_alive, like OLLAMA_KEEP_ALIVE; default 5 minutes. */
  keepAliveMs?: number;
  /** Time POST /api/pull takes to download a model; default 0. */
  pullMs?: number;
}

/** A change at run time: a number sets the knob, null puts its default back, a missing key leaves it alone. */
export type ResidencyChange = { [K in keyof ResidencySettings]?: number | null };

const RULES: Record<keyof ResidencySettings, { min: number; integer: boolean }> = {
  loadMs: { min: 0, integer: false },
  maxLoadedModels: { min: 1, integer: true },
  numParallel: { min: 1, integer: true },
  maxQueue: { min: 0, integer: true },
  keepAliveMs: { min: 0, integer: false },
  pullMs: { min: 0, integer: false },
};

export const SETTING_NAMES = Object.keys(RULES) as Array<keyof ResidencySettings>;

/** Validates a change; throws with a message fit for a 400 answer or a CLI error. */
export function parseResidencyChange(value: unknown): ResidencyChange {
  if (!isObject(value)) throw new Error(`expected an object with any of ${SETTING_NAMES.join(', ')}`);
  const change: ResidencyChange = {};
  for (const [key, setting] of Object.entries(value)) {
    const rule = RULES[key as keyof ResidencySettings] as (typeof RULES)[keyof ResidencySettings] | undefined;
    if (!rule) throw new Error(`unknown setting ${key}; expected any of ${SETTING_NAMES.join(', ')}`);
    const valid = setting === null
      || (typeof setting === 'number' && Number.isFinite(setting) && setting >= rule.min && (!rule.integer || Number.isInteger(setting)));
    if (!valid) throw new Error(`${key} must be ${rule.integer ? 'an integer' : 'a number'} >= ${rule.min}, or null for the default`);
    change[key as keyof ResidencySettings] = setting as number | null;
  }
  return change;
}

/** The settings among other options (startEmulator's), validated. */
export function pickSettings(options: object): ResidencySettings {
  const given = SETTING_NAMES.filter((name) => (options as ResidencySettings)[name] !== undefined);
  const change = parseResidencyChange(Object.fromEntries(given.map((name) => [name, (options as ResidencySettings)[name]])));
  return change as ResidencySettings;
}
