// A scan worker thread: builds the guards of the config it was started with and answers scan jobs
// (see scan-pool.ts). Its own event loop may be busy for as long as a heavy prompt takes.
import { parentPort, workerData } from 'node:worker_threads';
import type { GatewayConfig } from '../../config/schema.ts';
import { wholeAnswerScanning } from '../../core/output/config-rules.ts';
import { InputGuard } from './input-guard.ts';
import { OutputGuard } from './output-guard.ts';
import { loadTokenEncoding, tokensCountedUpFront } from './scanners/token-limit.ts';
import type { ScanJob, ScanReply } from './scan-pool.ts';

const config = (workerData as { config: GatewayConfig }).config;
const input = config.admission.enabled ? new InputGuard(config.guard.input) : undefined;
// Texts sent here are the large ones.
if (input && tokensCountedUpFront(config, Infinity)) loadTokenEncoding();
const output = wholeAnswerScanning(config.guard.output) ? new OutputGuard(config.guard.output) : undefined;

parentPort!.on('message', (job: ScanJob & { id: number }) => {
  let reply: ScanReply;
  try {
    if (job.kind === 'admit') reply = { id: job.id, admit: input!.admit(job.route, job.text, job.acceptLanguage, job.tokenCap) };
    else reply = { id: job.id, output: output!.scan(job.route, job.text, job.lang) };
  } catch (err) {
    reply = { id: job.id, error: String(err) };
  }
  parentPort!.postMessage(reply);
});
