// Shared helpers for the unit tests (not a test file itself).
import { validateConfig, type LoadedConfig } from '../../config/load.ts';
import type { GatewayConfig, GatewayConfigInput } from '../../config/schema.ts';

/** A validated config from a partial document (defaults filled in by the schema). */
export function makeConfig(doc: Partial<GatewayConfigInput> & Pick<GatewayConfigInput, 'backends'>, file = '/tmp/gateway-test.yaml'): GatewayConfig {
  return validateConfig(doc, file).config;
}

export function makeLoaded(doc: unknown, file: string): LoadedConfig {
  return validateConfig(doc, file);
}

/** The problems a document is rejected with (fails the test when it is accepted). */
export function problemsOf(doc: unknown): string[] {
  try {
    validateConfig(doc, 'test.yaml');
  } catch (err) {
    const problems = (err as { problems?: string[] }).problems;
    if (problems) return problems;
    throw err;
  }
  throw new Error(`expected the config to be rejected: ${JSON.stringify(doc)}`);
}
