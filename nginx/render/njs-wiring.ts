// The njs module and the variables it shares with the conf: settings from the config that njs reads,
// and the ones njs sets for the proxy, the access log and the response headers.
import type { GatewayConfig } from '../../config/schema.ts';
import { q } from './fleet-conf.ts';
import { wholeSeconds } from '../../core/seconds.ts';
import { secs } from './nginx-time.ts';
import { encodeOutputRules, outputRules, wholeAnswerScanning } from '../../core/output/config-rules.ts';
import type { RenderPaths } from './render-paths.ts';

function rulesVar(config: GatewayConfig): string {
  const rules = outputRules(config.guard.output);
  return rules ? `    js_var $gw_output_rules ${q(encodeOutputRules(rules))};` : '';
}

export function renderNjsWiring(config: GatewayConfig, paths: RenderPaths): string {
  return `    js_path ${q(paths.njsDir)};
    js_import gw from gateway.js;
    js_var $gw_model;
    js_var $gw_pool;
    js_var $gw_body;
    js_var $gw_lang;
    js_var $gw_path;
    js_var $gw_admission ${config.admission.enabled ? 'on' : 'off'};
    js_var $gw_schedule ${config.scheduling.enabled ? 'on' : 'off'};
    js_var $gw_fail_open ${config.sidecar.failMode === 'open' ? 'on' : 'off'};
    js_var $gw_retry_after ${wholeSeconds(config.health.interval)};
    js_var $gw_max_body ${config.nginx.maxBodySize};
    js_var $gw_read_whole ${secs(config.timeouts.wholeAnswer)};
    js_var $gw_retry_tries ${config.retries.tries};
    js_var $gw_retry_window ${config.retries.window};
    # Set by njs: a streamed request; the route's group and the servers tried after a 500 or 503.
    js_var $gw_stream;
    js_var $gw_route_pool;
    js_var $gw_tried;
    js_var $gw_tried_status;
    # Set by njs for the scheduler: the model as the backend sees it.
    js_var $gw_serve_model;
${rulesVar(config)}
    js_var $gw_output_whole ${wholeAnswerScanning(config.guard.output) ? 'on' : 'off'};
    # Set by njs for the access log and the response headers.
    js_var $gw_overhead_ms;
    js_var $gw_queue_ms;
    js_var $gw_terminal;
    js_var $gw_tokens_prompt;
    js_var $gw_tokens_completion;
    js_var $gw_stream_events;
    js_var $gw_hide_usage;
    js_var $gw_output_blocked;
    js_var $gw_output_flagged;`;
}
