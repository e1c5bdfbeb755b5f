import type { ContainerSummary, LifecycleEvent } from "@stevedore/protocol";
import { z } from "zod";
import type { Bus } from "../cluster/bus";
import type { ServerConfig } from "../config";
import type { Db } from "../db";
import type { FleetState } from "../fleet/fleet-state";
import type { Logger } from "../logger";
import { AlertChannels } from "./alert-channels";
import { AlertEvaluator, WATCHED_ACTIONS } from "./alert-evaluator";
import { AlertRules } from "./alert-rules";
import { AlertStore } from "./alert-store";
import { DeliveryQueue } from "./delivery-queue";

/** What a replica tells the others when an alert changed: only which host's, so their browsers re-read. */
const AlertsChanged = z.object({ hostId: z.string().min(1).max(64) });

/** What the agent gateway tells alerts about: only what its own agents report. */
export interface AlertHooks {
  onEvents(hostId: string, events: LifecycleEvent[]): void;
  onContainer(hostId: string, container: ContainerSummary): void;
}

/** Alerts and notifications: rules evaluated over the fleet, alerts in the database, a delivery queue per replica. */
export class Alerts implements AlertHooks {
  readonly channels: AlertChannels;
  readonly rules: AlertRules;
  readonly store: AlertStore;
  readonly queue: DeliveryQueue;
  readonly evaluator: AlertEvaluator;
  private readonly log: Logger;
  private readonly fleet: FleetState;
  private readonly bus: Bus | undefined;

  constructor(o: { db: Db; fleet: FleetState; config: ServerConfig; replicaId: string; log: Logger; bus?: Bus }) {
    this.log = o.log;
    this.fleet = o.fleet;
    this.bus = o.bus;
    this.channels = new AlertChannels(o.db, o.config.secretsKey);
    this.rules = new AlertRules(o.db);
    this.queue = new DeliveryQueue({ db: o.db, channels: this.channels, replicaId: o.replicaId, publicUrl: o.config.publicUrl, ...o.config.alertDelivery, log: o.log.child({ part: "delivery" }) });
    this.store = new AlertStore(
      o.db,
      () => this.queue.kick(),
      (hostId) => {
        this.fleet.alertsChanged(hostId);
        if (this.bus?.clustered) this.bus.publish("alerts", { hostId });
      },
    );
    this.evaluator = new AlertEvaluator({ db: o.db, fleet: o.fleet, store: this.store, log: o.log });
  }

  start(): void {
    this.queue.start();
    this.evaluator.start();
    // Browsers held by another replica hear of this replica's alert changes (a hint: they re-read).
    void this.bus
      ?.subscribe("alerts", (m) => {
        const parsed = AlertsChanged.safeParse(m);
        if (parsed.success && this.fleet.getHost(parsed.data.hostId)) this.fleet.alertsChanged(parsed.data.hostId);
      })
      .catch((err: unknown) => this.log.error({ err }, "alerts: could not subscribe to other replicas' alert changes"));
  }

  async stop(): Promise<void> {
    await this.evaluator.stop();
    await this.queue.stop();
  }

  // Both run on every engine event and container change: what no rule reads is dropped here,
  // without a promise or a rules lookup.
  onEvents(hostId: string, events: LifecycleEvent[]): void {
    if (!events.some((e) => WATCHED_ACTIONS.has(e.action))) return;
    this.evaluator.onEvents(hostId, events).catch((err: unknown) => this.log.error({ err, hostId }, "alert rules: evaluating engine events failed"));
  }

  onContainer(hostId: string, container: ContainerSummary): void {
    if (container.health !== "unhealthy") return;
    this.evaluator.onContainer(hostId, container).catch((err: unknown) => this.log.error({ err, hostId }, "alert rules: evaluating a container failed"));
  }
}
