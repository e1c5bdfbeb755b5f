import DataLoader from "dataloader";
import type { Prisma } from "../../src/generated/prisma/client";
import type { Db } from "../db";
import type { Logger } from "../logger";
import { CREDENTIAL_FIELDS, type CredentialRow } from "./enrollment";

/** Facts written behind wait at most this long, so a storm of joins becomes a few transactions a second. */
const WRITE_BEHIND_MS = 250;

/**
 * The host rows that agents' joins read and write, batched. After a restart thousands of agents
 * join each second; each used to cost a credential query and a row update on the event loop. Here the
 * credentials of every agent joining within a few milliseconds are read in one query, and the hello's
 * facts and last-seen times are coalesced per host and written in one transaction per flush.
 */
export class HostRecords {
  private readonly credentials: DataLoader<string, CredentialRow | null>;
  private pending = new Map<string, Prisma.HostUpdateManyMutationInput>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
  ) {
    this.credentials = new DataLoader(
      async (ids) => {
        const rows = await db.host.findMany({ where: { id: { in: [...ids] } }, select: CREDENTIAL_FIELDS });
        const byId = new Map(rows.map((r) => [r.id, r]));
        return ids.map((id) => byId.get(id) ?? null);
      },
      // No cache: a revocation or a new event cursor must be read fresh at the next join.
      { cache: false, maxBatchSize: 500, batchScheduleFn: (dispatch) => setTimeout(dispatch, 2) },
    );
  }

  credential(hostId: string): Promise<CredentialRow | null> {
    return this.credentials.load(hostId);
  }

  /** Written with the next flush; later fields for the same host merge into the pending write. */
  update(hostId: string, data: Prisma.HostUpdateManyMutationInput): void {
    this.pending.set(hostId, { ...this.pending.get(hostId), ...data });
    this.timer ??= setTimeout(() => void this.flush(), WRITE_BEHIND_MS);
  }

  /** Writes what is pending now (after any flush in progress); resolves when it is stored. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.flushing = this.flushing.then(async () => {
      if (this.pending.size === 0) return;
      const batch = [...this.pending];
      this.pending = new Map();
      try {
        await this.db.$transaction(batch.map(([id, data]) => this.db.host.updateMany({ where: { id }, data })));
      } catch (err) {
        // The facts come again with the agent's next hello; nothing else depends on them being stored.
        this.log.error({ err, hosts: batch.length }, "storing hosts' facts failed");
      }
    });
    return this.flushing;
  }
}
