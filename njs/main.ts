// The njs module nginx imports (js_import gw from gateway.js). Only the default export object:
// njs 0.7.9 takes nothing else.
import { errorPage, keyInClearPage, sidecarErrorPage } from './adapters/error-page.ts';
import { keyHash } from './adapters/key-hash.ts';
import { outputFilter } from './adapters/output-filter.ts';
import { proxy } from './adapters/proxy.ts';
import { retryBackend } from './adapters/retry.ts';
import { dispatch, queueRefused } from './adapters/schedule.ts';
import { spendUsd } from './adapters/spend.ts';
import { credentialRejected, translateFilter, translateHeaders } from './adapters/translate-filter.ts';
import { streamEvents, usageFilter } from './adapters/usage-capture.ts';

export default { proxy, errorPage, sidecarErrorPage, keyInClearPage, retryBackend, dispatch, queueRefused, outputFilter, usageFilter, keyHash, spendUsd, translateHeaders, translateFilter, credentialRejected, streamEvents };
