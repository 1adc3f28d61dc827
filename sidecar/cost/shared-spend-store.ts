// Spend per key per UTC day shared by the replicas (redis.url): a Redis hash per key, one field per
// day, added to with HINCRBYFLOAT (atomic) by whichever replica priced the answer, so every replica
// checks a budget against the whole spend. While Redis is away, redis.onUnavailable decides: this
// replica's own spend (its ledger's, in memory) or a refusal.
import type { SharedStore } from '../limits/shared-store.ts';
import { dayStamp, periodStart, type Period } from './periods.ts';
import type { SpendStore } from './spend-store.ts';

// Days older than two months no longer count toward any period.
const KEEP_MS = 62 * 86_400_000;

export class SharedSpendStore implements SpendStore {
  constructor(
    private readonly shared: SharedStore,
    private readonly local: SpendStore,
    private readonly prefix: string,
  ) {}

  private key(keyId: string): string {
    return `${this.prefix}spend:${keyId}`;
  }

  spent(keyId: string, period: Period, now: number): Promise<number> {
    return this.shared.decide(
      async (redis) => {
        const from = dayStamp(periodStart(period, now));
        const to = dayStamp(now);
        const days = await redis.client.hgetall(this.key(keyId));
        let sum = 0;
        for (const [day, usd] of Object.entries(days)) if (day >= from && day <= to) sum += Number(usd);
        return sum;
      },
      () => this.local.spent(keyId, period, now),
    );
  }

  add(keyId: string, usd: number, at: number): Promise<void> {
    return this.shared.record(
      async (redis) => {
        await redis.client.multi().hincrbyfloat(this.key(keyId), dayStamp(at), usd).pexpire(this.key(keyId), KEEP_MS).exec();
      },
      () => this.local.add(keyId, usd, at),
    );
  }
}
