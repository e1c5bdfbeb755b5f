import pLimit, { type LimitFunction } from "p-limit";

/** Container operations one replica has in flight on one host at most (like `docker compose --parallel`). */
export const OPERATIONS_PER_HOST = 8;

/**
 * At most `concurrency` tasks at a time per host, the rest in order behind them, shared by every
 * request on this replica. A bulk operation over 500 containers otherwise sends 500 kills at once:
 * the engine and the agent drown in the work and the events it raises, and answers time out.
 */
export class PerHostLimit {
  private readonly limits = new Map<string, LimitFunction>();

  constructor(private readonly concurrency: number) {}

  async run<T>(hostId: string, task: () => Promise<T>): Promise<T> {
    let limit = this.limits.get(hostId);
    if (!limit) this.limits.set(hostId, (limit = pLimit(this.concurrency)));
    try {
      return await limit(task);
    } finally {
      if (limit.activeCount === 0 && limit.pendingCount === 0) this.limits.delete(hostId);
    }
  }
}
