// Spend per key per UTC day shared by the replicas (redis.url): a Redis hash per key, one field per
// day, added to atomically by whichever replica priced the answer, so every replica checks a budget
// against the whole spend. The day is Redis's (TIME, in the script), for charges and checks alike, so
// replicas whose clocks disagree still agree on the day and the month; and a request is charged once
// even when its write is resent after a hang. While Redis is away, redis.onUnavailable decides: this
// replica's own spend (its ledger's, in memory, on this host's clock) or a refusal.
import type { SharedStore } from '../limits/shared-store.ts';
import type { Period } from './periods.ts';
import { spentIn, type Spent, type SpendStore } from './spend-store.ts';

export class SharedSpendStore implements SpendStore {
  constructor(
    private readonly shared: SharedStore,
    private readonly local: SpendStore,
  ) {}

  spent(keyId: string, period: Period, now: number): Promise<Spent> {
    return this.shared.decide(
      async (redis) => {
        const read = await redis.readSpend(keyId);
        return { usd: spentIn(Object.entries(read.days), period, read.now), now: read.now };
      },
      () => this.local.spent(keyId, period, now),
    );
  }

  add(keyId: string, usd: number, at: number, requestId: string): Promise<void> {
    return this.shared.record(
      async (redis) => {
        await redis.addSpend(keyId, requestId, usd);
      },
      () => this.local.add(keyId, usd, at, requestId),
    );
  }
}
