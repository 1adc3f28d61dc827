// The filters of the translated proxy. The header filter gives the answer the client's content
// type; the body filter turns the backend's bytes into OpenAI's shape (the pivot), passes them
// through the usage capture and the output guard (filterAnswer, as for any answer), and turns what
// comes out into the client's API. Error answers and whole answers are read whole first.
import { clientErrorBody } from '../../core/translate/errors.ts';
import type { Translation } from '../../core/translate/route-translation.ts';
import type { StreamTranslator } from '../../core/translate/stream-translator.ts';
import { shapeOf } from '../../core/routing/routes.ts';
import { createSseFramer, sseData, type Framer } from '../output/sse.ts';
import { filterAnswer, wholeChars } from './output-filter.ts';
import { sendError } from './respond.ts';
import { activeTranslation, isoTimeNow, nowSeconds } from './translation.ts';
import { upstreamCut } from './usage-capture.ts';
import { vars } from './variables.ts';

/** An SSE stream through a translator: whole events in, translated text out. */
interface Passage {
  framer: Framer;
  t: StreamTranslator;
}

interface State {
  r: NginxHTTPRequest;
  plan: Translation;
  /** Bytes of a UTF-8 character split between two chunks. */
  carry: Buffer | null;
  /** Whole bodies (and error bodies) are translated once complete. */
  held: Buffer[];
  inbound: Passage | null;
  outbound: Passage | null;
}

// Per response: njs gives every request its own VM (the owner check keeps tests sharing a VM honest).
let state: State | null = null;

function passage(t: StreamTranslator | null): Passage | null {
  return t === null ? null : { framer: createSseFramer(), t: t };
}

function through(p: Passage | null, text: string, last: boolean): string {
  if (p === null) return text;
  let out = '';
  p.framer.push(text, function (raw: string) {
    const data = sseData(raw);
    if (data !== null) out += p.t.unit(data);
  });
  return last ? out + p.t.end() : out;
}

function stateOf(r: NginxHTTPRequest, plan: Translation): State {
  if (state === null || state.r !== r) {
    const model = String(vars(r).gw_model || '');
    state = {
      r: r,
      plan: plan,
      carry: null,
      held: [],
      inbound: passage(plan.inboundStream(nowSeconds())),
      outbound: passage(plan.outboundStream(model, isoTimeNow)),
    };
  }
  return state;
}

export function translateHeaders(r: NginxHTTPRequest): void {
  try {
    const plan = activeTranslation(r);
    if (plan === null) return;
    const streamed = r.status === 200 && vars(r).gw_stream === '1';
    r.headersOut['Content-Type'] = !streamed ? 'application/json' : plan.client === 'ollama' ? 'application/x-ndjson' : 'text/event-stream';
    delete r.headersOut['Content-Length'];
  } catch (e) {
    r.error('gateway translate headers: ' + String(e));
  }
}

/** The text of the chunk up to its last whole character; the rest waits for the next chunk. */
function wholeText(s: State, data: Buffer, last: boolean): string {
  const all = s.carry ? Buffer.concat([s.carry, data]) : data;
  const n = last ? all.length : wholeChars(all);
  s.carry = n < all.length ? all.slice(n) : null;
  return all.toString('utf8', 0, n);
}

function wholeAnswer(s: State, body: string): string {
  const model = String(vars(s.r).gw_model || '');
  let pivot: string;
  try {
    pivot = JSON.stringify(s.plan.inboundWhole(JSON.parse(body), nowSeconds()));
  } catch (e) {
    return body; // not JSON: passed on as the backend wrote it
  }
  let out = '';
  filterAnswer(s.r, Buffer.from(pivot), { last: true }, false, function (text) {
    out += String(text);
  });
  return JSON.stringify(s.plan.outboundWhole(JSON.parse(out), model, isoTimeNow()));
}

export function translateFilter(r: NginxHTTPRequest, data: Buffer, flags: NginxHTTPSendBufferOptions): void {
  try {
    const plan = activeTranslation(r);
    if (plan === null) return r.sendBuffer(data, flags);
    const s = stateOf(r, plan);
    const last = !!flags.last;
    if (r.status !== 200 || vars(r).gw_stream !== '1') {
      if (data.length > 0) s.held.push(data);
      if (!last) return;
      const body = Buffer.concat(s.held).toString();
      return r.sendBuffer(r.status === 200 ? wholeAnswer(s, body) : clientErrorBody(plan.client, r.status, body), flags);
    }
    const cut = upstreamCut(r, data, flags);
    const send = function (out: string | Buffer, f: NginxHTTPSendBufferOptions) {
      r.sendBuffer(through(s.outbound, String(out), !!f.last), f);
    };
    const pivot = through(s.inbound, wholeText(s, data, last || cut), last || cut);
    // What the inbound translator still held at a cut (its closing events) passes before the cut's ending.
    if (cut && pivot !== '') filterAnswer(r, Buffer.from(pivot), {}, false, send);
    filterAnswer(r, cut ? data : Buffer.from(pivot), flags, cut, send);
  } catch (e) {
    r.error('gateway translate filter: ' + String(e));
    r.sendBuffer(data, flags);
  }
}

/** error_page target of the proxy for a backend's 401/403: the gateway's credential is wrong or missing, not the client's key. */
export function credentialRejected(r: NginxHTTPRequest): void {
  try {
    r.error('gateway: backend ' + String(vars(r).gw_backend || vars(r).gw_pool) + ' rejected the provider credential (' + String(r.variables.upstream_status) + ')');
    sendError(r, shapeOf(r.uri), 502, 'provider_credential_rejected', { params: { model: String(vars(r).gw_model || '') } });
  } catch (e) {
    r.error('gateway credential rejected: ' + String(e));
    sendError(r, shapeOf(r.uri), 502, 'backend_failed');
  }
}
