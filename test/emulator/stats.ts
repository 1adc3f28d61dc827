// Counters the gateway's tests read to check pooling, load spreading and concurrency.

export interface EmulatorStats {
  name: string;
  /** TCP connections accepted since start or reset, including those that only carried control requests. */
  connections: number;
  openConnections: number;
  inFlight: number;
  maxInFlight: number;
  requests: number;
  byPath: Record<string, number>;
}

export class Stats {
  private connections = 0;
  private openConnections = 0;
  private inFlight = 0;
  private maxInFlight = 0;
  private requests = 0;
  private byPath = new Map<string, number>();

  constructor(private readonly name: string) {}

  connectionOpened(): void {
    this.connections++;
    this.openConnections++;
  }

  connectionClosed(): void {
    this.openConnections--;
  }

  requestStarted(path: string): void {
    this.requests++;
    this.byPath.set(path, (this.byPath.get(path) ?? 0) + 1);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
  }

  requestFinished(): void {
    this.inFlight--;
  }

  /** Zeroes the counters; open connections and in-flight requests are current state, so they stay. */
  reset(): void {
    this.connections = 0;
    this.requests = 0;
    this.byPath.clear();
    this.maxInFlight = this.inFlight;
  }

  snapshot(): EmulatorStats {
    return {
      name: this.name,
      connections: this.connections,
      openConnections: this.openConnections,
      inFlight: this.inFlight,
      maxInFlight: this.maxInFlight,
      requests: this.requests,
      byPath: Object.fromEntries(this.byPath),
    };
  }
}
