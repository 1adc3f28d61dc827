// Bytes a function allocates per call, garbage included, from V8's sampling heap profiler (through
// node:inspector, so in any process, whatever its heap flags): every allocation is sampled about once
// per `interval` bytes, so the figure is exact on average and within a few percent over many calls.
import { Session } from 'node:inspector/promises';

interface ProfileNode {
  selfSize: number;
  children: ProfileNode[];
}

const total = (n: ProfileNode): number => n.children.reduce((sum, c) => sum + total(c), n.selfSize);

export async function bytesPerCall(f: () => void, calls: number, interval = 256): Promise<number> {
  const session = new Session();
  session.connect();
  try {
    await session.post('HeapProfiler.startSampling', { samplingInterval: interval, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    for (let i = 0; i < calls; i++) f();
    const { profile } = (await session.post('HeapProfiler.getSamplingProfile')) as { profile: { head: ProfileNode } };
    await session.post('HeapProfiler.stopSampling');
    return total(profile.head) / calls;
  } finally {
    session.disconnect();
  }
}
