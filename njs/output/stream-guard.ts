// The streamed-output guard: runs in nginx's js_body_filter (pure, synchronous, no I/O) on a streamed
// answer (SSE for the OpenAI API, NDJSON for Ollama's), scans the generated text as it goes and, when a
// rule matches, ends the stream with an error event the client's SDK raises, instead of the rest. A
// rule in monitor mode only reports its first finding (StreamPush.flagged) and the stream goes on.
//
// How it holds back: the body is cut into whole events (sse.ts / ndjson.ts); each event's generated
// text (content.ts) is appended to its text stream (one per choice and kind: answer, reasoning, each
// tool call). After every chunk, each text stream that grew is scanned (rules.ts) over a window of its
// new text plus between `reach` and 1.5 × `reach` characters before it, where `reach` is the longest
// stretch one match can span: the work per chunk is bounded, whatever the length of the answer. An
// event goes to the client only once every text stream it added to has `holdBack` more characters
// after its text (default: `reach`), or has ended (finish_reason, [DONE], done: true, the last chunk):
// by then no match can still start inside its text, so a phrase split over two chunks or two events is
// caught before any part of it leaves. Events without generated text (role chunks, usage, ": ping"
// comments, unparsable data) keep their place in line and pass byte for byte: for a clean stream the
// concatenated outputs equal the input.
//
// Text positions count characters as the engine does: code points in njs, UTF-16 units in node; the
// verdicts are the same in both, only where astral characters put the hold-back line may differ.
// njs frees nothing before the request ends, so the per-chunk path avoids allocations it can: regexps
// are made once per response, units are kept in flat arrays, strings are copied only when needed.
import type { ApiShape } from '../../core/contract.ts';
import { extractOllama, extractOpenAI, parseObject, type TextSink } from './content.ts';
import { createNdjsonFramer } from './ndjson.ts';
import { compileRules, createMonitorLog, type CompiledRules, type MonitorLog, type ScanWindow } from '../../core/output/rules.ts';
import { createSseFramer, sseData } from './sse.ts';
import { terminalEvent } from './terminal.ts';
import type { Finding, OutputRules, StreamFormat, StreamGuard, StreamPush } from '../../core/output/types.ts';

export type { Finding, OutputRules, OutputScanner, StreamFormat, StreamGuard, StreamPush } from '../../core/output/types.ts';

interface TextStream extends ScanWindow {
  /** Whether it grew since the last scan. */
  dirty: boolean;
  /** Characters so far, counting the '\n' that starts the stream and the one added each time it ends. */
  end: number;
  /** Text ending at or before this position is followed by an end: no match can reach into it any more. */
  sealed: number;
  open: boolean;
  choice: number;
}

/** The text streams of one answer: the sink that the events' texts go to, and their scan. */
interface TextStreams {
  sink: TextSink;
  /** Scans each text stream that grew since the last scan; monitored findings go to the monitor log. */
  scan(): Finding | null;
}

/**
 * `streams` is filled here; `mark` is told where each text that an event adds ends, so the unit that
 * carried it waits until no match can start inside it.
 */
function createTextStreams(streams: Record<string, TextStream>, compiled: CompiledRules, monitored: MonitorLog, mark: (key: string, end: number) => void): TextStreams {
  const reach = compiled.reach;
  const fold = compiled.fold;
  // Windows are cut back to `reach` characters once they pass `trimAt`: fewer copies, a little more scanning.
  const trimAt = reach + (reach >> 1);
  const keys: string[] = [];
  const dirty: string[] = [];

  function touch(key: string, st: TextStream): void {
    if (!st.dirty) {
      st.dirty = true;
      dirty.push(key);
    }
  }

  function seal(key: string): void {
    const st = streams[key];
    if (!st || !st.open) return;
    st.sealed = st.end;
    st.open = false;
    st.raw += '\n';
    st.folded += '\n';
    st.end += 1;
    touch(key, st);
  }

  const sink: TextSink = {
    text(key: string, choice: number, text: string): void {
      let st = streams[key];
      if (!st) {
        st = { raw: '\n', folded: '\n', base: 0, urlsDone: 0, dirty: false, end: 1, sealed: 0, open: true, choice: choice };
        streams[key] = st;
        keys.push(key);
      }
      st.open = true;
      st.raw += text;
      st.folded += fold(text);
      st.end += text.length;
      touch(key, st);
      mark(key, st.end);
    },
    endChoice(choice: number): void {
      for (let i = 0; i < keys.length; i++) if (streams[keys[i]].choice === choice) seal(keys[i]);
    },
    endKey(key: string): void {
      seal(key);
    },
    endAll(): void {
      for (let i = 0; i < keys.length; i++) seal(keys[i]);
    },
  };

  function scan(): Finding | null {
    for (let i = 0; i < dirty.length; i++) {
      const st = streams[dirty[i]];
      const found = compiled.scan(st, monitored);
      if (found) return found;
      st.dirty = false;
      if (st.raw.length > trimAt) {
        const cut = st.raw.length - reach;
        st.raw = st.raw.slice(cut);
        st.folded = st.folded.slice(cut);
        st.base += cut;
      }
    }
    dirty.length = 0;
    return null;
  }

  return { sink: sink, scan: scan };
}

/** The units (events / lines) not sent yet, in order, and where the texts each one added end. */
interface PendingUnits {
  /** A text of the unit being read ends at `end` of stream `key`. */
  mark(key: string, end: number): void;
  /** The unit just read, after its marks. */
  add(raw: string): void;
  /** The units at the front whose every text has `hold` characters after it, or has ended, concatenated. */
  release(): string;
  /** Forgets every unit (the stream is blocked). */
  drop(): void;
}

function createPendingUnits(streams: Record<string, TextStream>, hold: number): PendingUnits {
  // Oldest at `head`: their bytes, and where their marks end. Marks say where each text a unit added
  // ends: markKey[j] / markPos[j] for j < unitMarks[i].
  const unitRaw: string[] = [];
  const unitMarks: number[] = [];
  const markKey: string[] = [];
  const markPos: number[] = [];
  let head = 0;
  let markHead = 0;

  function releasable(unit: number): boolean {
    for (let j = markHead; j < unitMarks[unit]; j++) {
      const st = streams[markKey[j]];
      if (markPos[j] > st.sealed && st.end - markPos[j] < hold) return false;
    }
    return true;
  }

  /** Empties the queue once all is sent, or shifts what is left to the front, in place, every 64 units. */
  function compact(): void {
    if (head === unitRaw.length) {
      head = markHead = unitRaw.length = unitMarks.length = markKey.length = markPos.length = 0;
    } else if (head >= 64) {
      const n = unitRaw.length - head;
      const m = markKey.length - markHead;
      for (let i = 0; i < n; i++) {
        unitRaw[i] = unitRaw[head + i];
        unitMarks[i] = unitMarks[head + i] - markHead;
      }
      for (let j = 0; j < m; j++) {
        markKey[j] = markKey[markHead + j];
        markPos[j] = markPos[markHead + j];
      }
      unitRaw.length = unitMarks.length = n;
      markKey.length = markPos.length = m;
      head = markHead = 0;
    }
  }

  return {
    mark: function (key: string, end: number): void {
      markKey.push(key);
      markPos.push(end);
    },
    add: function (raw: string): void {
      unitRaw.push(raw);
      unitMarks.push(markKey.length);
    },
    release: function (): string {
      let out = '';
      while (head < unitRaw.length && releasable(head)) {
        out = out ? out + unitRaw[head] : unitRaw[head];
        unitRaw[head] = '';
        markHead = unitMarks[head];
        head++;
      }
      compact();
      return out;
    },
    drop: function (): void {
      unitRaw.length = unitMarks.length = markKey.length = markPos.length = 0;
    },
  };
}

/** Hands the generated text of one unit (an SSE event or an NDJSON line) to the sink; [DONE] ends every text. */
function readUnit(format: StreamFormat, shape: ApiShape, raw: string, sink: TextSink): void {
  let event: Record<string, unknown> | null = null;
  if (format === 'sse') {
    const data = sseData(raw);
    if (data !== null && data.length < 16 && data.trim() === '[DONE]') sink.endAll();
    else if (data !== null) event = parseObject(data);
  } else {
    event = parseObject(raw);
  }
  if (event) {
    if (shape === 'ollama') extractOllama(event, sink);
    else extractOpenAI(event, sink);
  }
}

export function createStreamGuard(
  format: StreamFormat,
  shape: ApiShape,
  rules: OutputRules,
  opts: { lang: string; holdBack?: number },
): StreamGuard {
  const compiled = compileRules(rules);
  const hold = typeof opts.holdBack === 'number' && opts.holdBack >= 0 ? Math.floor(opts.holdBack) : compiled.holdReach;
  const monitored = createMonitorLog();
  const streams: Record<string, TextStream> = {};
  const pending = createPendingUnits(streams, hold);
  const texts = createTextStreams(streams, compiled, monitored, pending.mark);
  const framer = format === 'sse' ? createSseFramer() : createNdjsonFramer();
  // Monitored findings already returned by push().
  let reported = 0;
  let finished = false;

  function take(raw: string): void {
    readUnit(format, shape, raw, texts.sink);
    pending.add(raw);
  }

  /** What goes out after a chunk: the terminal event when a rule blocked, otherwise the units now safe to send. */
  function answer(blocked: Finding | null, last: boolean): StreamPush {
    if (blocked) {
      finished = true;
      pending.drop();
      return { out: terminalEvent(format, shape, opts.lang, blocked), blocked: blocked };
    }
    if (last) finished = true;
    return { out: pending.release() };
  }

  return {
    push(chunk: string, last: boolean, cut?: boolean): StreamPush {
      if (finished) return { out: '' };
      const data = typeof chunk === 'string' ? chunk : '';
      if (compiled.reach === 0) {
        // No rule is on: nothing to hold.
        finished = last;
        return { out: data };
      }
      framer.push(data, take);
      if (last) {
        const rest = framer.rest();
        if (rest && !cut) take(rest);
        texts.sink.endAll();
      }
      const res = answer(texts.scan(), last);
      if (monitored.flagged.length > reported) {
        res.flagged = monitored.flagged.slice(reported);
        reported = monitored.flagged.length;
      }
      return res;
    },
  };
}
