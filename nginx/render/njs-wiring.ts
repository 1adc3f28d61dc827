// The njs module and the variables it shares with the conf (core/nginx-variables.ts): settings from
// the config that njs reads, and the ones njs sets for the proxy, the access log and the response headers.
import type { GatewayConfig } from '../../config/schema.ts';
import {
  NJS_REPORT_VARIABLES,
  NJS_REQUEST_VARIABLES,
  NJS_RETRY_VARIABLES,
  NJS_SCHEDULE_VARIABLES,
  NJS_SETTING_VARIABLES,
  OUTPUT_SETTING_VARIABLES,
  type GwVariable,
} from '../../core/contract.ts';
import { q } from './fleet-conf.ts';
import { wholeSeconds } from '../../core/seconds.ts';
import { secs } from './nginx-time.ts';
import { encodeOutputRules, outputRules, wholeAnswerScanning } from '../../core/output/config-rules.ts';
import type { RenderPaths } from './render-paths.ts';
import { encodeGlobs } from '../../core/routing/model-globs.ts';
import { cacheMode } from './response-cache.ts';
import { priceTable } from '../../core/cost/price-table.ts';
import { encodePriceTable } from '../../core/cost/pricing.ts';
import { V } from './variables.ts';

const onOff = (on: boolean) => (on ? 'on' : 'off');

/** The value of each setting variable; null leaves it out (an empty line holds its place). */
const SETTINGS: { [K in (typeof NJS_SETTING_VARIABLES | typeof OUTPUT_SETTING_VARIABLES)[number]]: (config: GatewayConfig) => string | number | null } = {
  gw_admission: (c) => onOff(c.admission.enabled),
  gw_schedule: (c) => onOff(c.scheduling.enabled),
  gw_fail_open: (c) => onOff(c.sidecar.failMode === 'open'),
  gw_retry_after: (c) => wholeSeconds(c.health.interval),
  gw_max_body: (c) => c.nginx.maxBodySize,
  gw_read_whole: (c) => secs(c.timeouts.wholeAnswer),
  gw_retry_tries: (c) => c.retries.tries,
  gw_retry_window: (c) => c.retries.window,
  gw_cache: (c) => cacheMode(c),
  gw_cache_models: (c) => q(encodeGlobs(c.cache.models)),
  gw_prices: (c) => q(encodePriceTable(priceTable(c))),
  gw_output_rules: (c) => {
    const rules = outputRules(c.guard.output);
    return rules ? q(encodeOutputRules(rules)) : null;
  },
  gw_output_whole: (c) => onOff(wholeAnswerScanning(c.guard.output)),
};

function declare(names: readonly GwVariable[]): string[] {
  return names.map((name) => `    js_var ${V[name]};`);
}

function settings(config: GatewayConfig, names: readonly (keyof typeof SETTINGS)[]): string[] {
  return names.map((name) => {
    const value = SETTINGS[name](config);
    return value === null ? '' : `    js_var ${V[name]} ${value};`;
  });
}

// Without any price, no request costs anything: the log line's spend stays empty and njs is not called.
function spendVariable(config: GatewayConfig): string[] {
  const table = priceTable(config);
  if (Object.keys(table.tokens).length === 0 && Object.keys(table.gpuHour).length === 0) return [`    js_var ${V.gw_spend_usd};`];
  return ['    # What the request cost (core/cost/pricing.ts), for the access log: computed as the line is written.', `    js_set ${V.gw_spend_usd} gw.spendUsd;`];
}

export function renderNjsWiring(config: GatewayConfig, paths: RenderPaths): string {
  return [
    `    js_path ${q(paths.njsDir)};`,
    '    js_import gw from gateway.js;',
    ...declare(NJS_REQUEST_VARIABLES),
    ...settings(config, NJS_SETTING_VARIABLES),
    "    # Set by njs: a streamed request; the route's group and the servers tried after a 500 or 503.",
    ...declare(NJS_RETRY_VARIABLES),
    '    # Set by njs for the scheduler: the model as the backend sees it.',
    ...declare(NJS_SCHEDULE_VARIABLES),
    ...settings(config, OUTPUT_SETTING_VARIABLES),
    '    # Set by njs for the access log and the response headers.',
    ...declare(NJS_REPORT_VARIABLES),
    ...spendVariable(config),
    "    # A stream's events so far, counted by njs and read as the log line is written (a variable written",
    '    # for every chunk cost more); asked of njs for streams only, so no other request starts a VM for it.',
    `    js_set ${V.gw_stream_events_counted} gw.streamEvents;`,
    `    map ${V.gw_stream} ${V.gw_stream_events} {`,
    `        1 ${V.gw_stream_events_counted};`,
    '        default "";',
    '    }',
  ].join('\n');
}
