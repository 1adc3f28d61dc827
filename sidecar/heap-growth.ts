// How far V8 lets the sidecar's old generation grow past what the last full collection kept. On a
// machine with several GB, V8 allows four times. The sidecar keeps about 30 MB live but promotes
// a steady trickle of short-lived objects under load (its in-flight maps, HTTP objects, about
// 2 MB/s at 5k admissions/s): at four times it held 150–190 MB after a minute of load, at 1.5 times
// 130–140 MB, for the same CPU within noise (wrk, 32 connections, admission on). Not a cap: a heap
// that needs more memory still gets it. V8 reads the flag at each full collection, so it can be set
// after start (NODE_OPTIONS does not take it).
import { setFlagsFromString } from 'node:v8';

export function limitHeapGrowth(): void {
  setFlagsFromString('--heap-growing-percent=50');
}
