// Reads a request's keep_alive the way Ollama's api.Duration does: seconds as a number, a Go duration as a string.

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/**
 * Milliseconds a model stays loaded after the request, Infinity for "forever" (any negative value), undefined when
 * absent. Numbers are whole seconds (Ollama truncates 0.5 to 0). A bare number in a string also counts as seconds,
 * so "-1" means forever, where Go's parser would refuse it. Throws with Ollama's wording for anything else.
 */
export function parseKeepAlive(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return value < 0 ? Infinity : Math.trunc(value) * 1000;
  if (typeof value !== 'string') throw new Error(`Unsupported type: '${typeof value}'`);
  if (/^[+-]?\d+(\.\d+)?$/.test(value)) return parseKeepAlive(Number(value));
  const ms = parseGoDuration(value);
  if (ms === undefined) throw new Error(`time: invalid duration "${value}"`);
  return ms < 0 ? Infinity : ms;
}

/** time.ParseDuration: an optional sign, then number-unit pairs such as "1h30m" or "1.5s". */
function parseGoDuration(text: string): number | undefined {
  const sign = text.startsWith('-') ? -1 : 1;
  const body = text.replace(/^[+-]/, '');
  if (body === '') return undefined;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < body.length) {
    const match = PART.exec(body);
    if (!match) return undefined;
    total += Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? NaN);
  }
  return Number.isFinite(total) ? sign * total : undefined;
}
