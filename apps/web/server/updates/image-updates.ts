import { EventEmitter } from "node:events";
import { z } from "zod";
import { type ContainerSummary, canonicalImageName } from "@stevedore/protocol";
import type { Bus } from "../cluster/bus";
import type { Db } from "../db";
import type { FleetState } from "../fleet/fleet-state";
import type { Logger } from "../logger";
import { ociPlatform, parseReference } from "../registries/image-reference";
import type { Registries } from "../registries/registries";
import type { Settings } from "../settings";
import { PlatformManifest, type ReferenceCheck, type ReferenceInUse, checkRegistryReferences, platformKey } from "./registry-check";
import type { NewerVersions } from "./version-tags";
import { type UpdatePolicySettings, describeUpdatePolicy, effectiveUpdatePolicy } from "./update-policy";

/** A container's image against what its reference names in the registry now. */
export interface ContainerUpdate {
  /** current: the host runs what the tag names; outdated: the tag has moved on; unknown: the check failed before it could tell. */
  state: "current" | "outdated" | "unknown";
  newer: NewerVersions | null;
  checkedAt: number;
  error: string | null;
}

/** One reference that has moved on somewhere, with the containers that run it. */
export interface UpdateReportRow {
  reference: string;
  checkedAt: number;
  error: string | null;
  newer: NewerVersions | null;
  outdated: number;
  /** Up to REPORT_CONTAINERS of them, outdated first. */
  containers: { hostId: string; hostName: string; id: string; name: string; state: ContainerSummary["state"]; update: ContainerUpdate["state"]; automatic: string | null }[];
  total: number;
}

const REPORT_CONTAINERS = 200;

export interface CheckSummary {
  startedAt: number;
  finishedAt: number;
  references: number;
  requests: number;
  outdated: number;
  failed: number;
}

const RUN_ID = "fleet";
/** Each replica asks this often whether the scheduled check is due; one of them claims it. */
const DUE_POLL_MS = 60_000;
/** ±10% of the interval, so a fleet of control planes (or a restart) does not hit registries in step. */
const JITTER = 0.1;
/** A claimed run that never finished (its replica died) is claimed again after this. */
const RUN_TIMEOUT_MS = 30 * 60_000;

const NewerVersionsJson = z.object({ patch: z.string().nullable(), minor: z.string().nullable(), major: z.string().nullable() }).nullable();
const SharedChecks = z.object({ references: z.array(z.string().max(1024)).max(100_000) });

/** A container's reference as checks key it, or null when there is nothing to check (an image id, a digest pin). */
export function checkedReference(image: string): string | null {
  if (/^(sha256:)?[0-9a-f]{12,64}$/.test(image) || image.includes("@")) return null;
  return canonicalImageName(image);
}

/**
 * Which containers run an image their tag no longer names: the registries are asked on a schedule
 * (one replica, every `updateCheckHours`, jittered) and on demand, once per distinct reference across
 * the fleet, and a container's state is worked out when it is shown, from its host's image and the
 * reference's last check. Detection results are not audit entries: nothing on a host changes.
 */
export class ImageUpdates extends EventEmitter<{ checked: [string[]] }> {
  private readonly checks = new Map<string, ReferenceCheck>();
  private running: Promise<CheckSummary> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: { db: Db; fleet: FleetState; registries: Pick<Registries, "targetForRegistry">; settings: Settings; bus: Bus; log: Logger }) {
    super();
  }

  async start(): Promise<void> {
    await this.reload();
    await this.deps.bus.subscribe("updates", (m) => {
      const parsed = SharedChecks.safeParse(m);
      if (parsed.success) void this.reload(parsed.data.references).catch((err: unknown) => this.deps.log.error({ err }, "could not read another replica's update checks"));
    });
    this.timer = setInterval(() => void this.runIfDue(), DUE_POLL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The container's update state, or null when its reference was never checked (or cannot be). */
  statusOf(c: Pick<ContainerSummary, "image" | "imageId">, hostId: string): ContainerUpdate | null {
    const reference = checkedReference(c.image);
    const check = reference ? this.checks.get(reference) : undefined;
    if (!check) return null;
    const base = { newer: check.newer, checkedAt: check.checkedAt, error: check.error };
    if (!check.digest) return { state: "unknown", ...base };
    const image = this.deps.fleet.hostImages(hostId).find((i) => i.id === c.imageId);
    const local = new Set((image?.repoDigests ?? []).map((d) => d.slice(d.indexOf("@") + 1)));
    if (local.has(check.digest)) return { state: "current", ...base };
    const platform = this.platformOf(hostId);
    const manifest = check.manifests.find((m) => m.platform === platform) ?? check.manifests.find((m) => m.platform === null);
    // Asked while this host's image was current, or the host's platform is new: the next check tells.
    if (!manifest) return { state: "unknown", ...base };
    const current = local.has(manifest.digest) || manifest.configDigest === c.imageId;
    return { state: current ? "current" : "outdated", ...base };
  }

  /**
   * The fleet view: each reference on hosts the caller sees whose tag moved on (or has newer
   * versions, or could not be checked), most outdated containers first.
   */
  report(sees: (hostId: string) => boolean, policies: UpdatePolicySettings): UpdateReportRow[] {
    const rows = new Map<string, UpdateReportRow>();
    for (const host of this.deps.fleet.containersByHost()) {
      if (!sees(host.id)) continue;
      const groups = this.deps.fleet.hostGroups(host.id);
      for (const c of host.view.containers) {
        const update = this.statusOf(c, host.id);
        if (!update) continue;
        const reference = checkedReference(c.image)!;
        let row = rows.get(reference);
        if (!row) rows.set(reference, (row = { reference, checkedAt: update.checkedAt, error: update.error, newer: update.newer, outdated: 0, containers: [], total: 0 }));
        row.total++;
        if (update.state === "outdated") row.outdated++;
        const automatic = describeUpdatePolicy(effectiveUpdatePolicy(policies, groups, c.labels));
        row.containers.push({ hostId: host.id, hostName: host.name, id: c.id, name: c.name, state: c.state, update: update.state, automatic });
      }
    }
    const rank = { outdated: 0, unknown: 1, current: 2 } as const;
    const moved = [...rows.values()].filter((r) => r.outdated > 0 || r.error || (r.newer && (r.newer.patch || r.newer.minor || r.newer.major)));
    for (const r of moved) r.containers = r.containers.sort((a, b) => rank[a.update] - rank[b.update] || a.hostName.localeCompare(b.hostName) || a.name.localeCompare(b.name)).slice(0, REPORT_CONTAINERS);
    return moved.sort((a, b) => b.outdated - a.outdated || a.reference.localeCompare(b.reference));
  }

  /** The last scheduled or on-demand run, and when the next scheduled one is due. */
  async schedule(): Promise<{ nextAt: number | null; last: CheckSummary | null; running: boolean }> {
    const row = await this.deps.db.updateCheckRun.findUnique({ where: { id: RUN_ID } });
    const last = row?.summary ? (parseJson(row.summary) as CheckSummary | null) : null;
    return { nextAt: row?.nextAt.getTime() ?? null, last, running: this.running !== null };
  }

  /**
   * Checks the references in use on these hosts (all when omitted) now; `fresh` reads tag lists
   * whatever their age. A check already running here is joined rather than doubled.
   */
  check(hostIds?: readonly string[], fresh = true): Promise<CheckSummary> {
    this.running ??= this.run(hostIds, fresh).finally(() => (this.running = null));
    return this.running;
  }

  /** Claims the scheduled run when it is due (a conditional update: one replica wins), then runs it. */
  async runIfDue(now = Date.now()): Promise<CheckSummary | null> {
    try {
      const { db } = this.deps;
      const hours = (await this.deps.settings.get("images")).updateCheckHours;
      const interval = hours * 3_600_000;
      const next = new Date(now + interval * (1 - JITTER + Math.random() * 2 * JITTER));
      const row = await db.updateCheckRun.findUnique({ where: { id: RUN_ID } });
      if (!row) {
        // The first start: a check soon, not at once (agents are still connecting), then on schedule.
        await db.updateCheckRun.upsert({ where: { id: RUN_ID }, create: { id: RUN_ID, nextAt: new Date(now + DUE_POLL_MS * (1 + Math.random())) }, update: {} });
        return null;
      }
      const stale = row.startedAt && (!row.finishedAt || row.finishedAt < row.startedAt) && row.startedAt.getTime() < now - RUN_TIMEOUT_MS;
      if (row.nextAt.getTime() > now && !stale) return null;
      const claimed = await db.updateCheckRun.updateMany({ where: { id: RUN_ID, nextAt: row.nextAt }, data: { nextAt: next, startedAt: new Date(now) } });
      if (claimed.count !== 1) return null;
      return await this.check(undefined, false);
    } catch (err) {
      this.deps.log.error({ err }, "the scheduled update check failed");
      return null;
    }
  }

  /** What the fleet (or these hosts) runs, grouped by reference. */
  inUse(hostIds?: readonly string[]): ReferenceInUse[] {
    const uses = new Map<string, { reference: string; platforms: Set<string>; localDigests: Set<string> }>();
    const wanted = hostIds ? new Set(hostIds) : null;
    for (const host of this.deps.fleet.containersByHost()) {
      if (wanted && !wanted.has(host.id)) continue;
      const platform = this.platformOf(host.id);
      const images = new Map(this.deps.fleet.hostImages(host.id).map((i) => [i.id, i]));
      for (const c of host.view.containers) {
        if (c.state !== "running") continue;
        const reference = checkedReference(c.image);
        // An image without repo digests was built on the host and never pushed or pulled: no registry has it.
        const digests = images.get(c.imageId)?.repoDigests ?? [];
        if (!reference || digests.length === 0) continue;
        let use = uses.get(reference);
        if (!use) uses.set(reference, (use = { reference, platforms: new Set(), localDigests: new Set() }));
        if (platform) use.platforms.add(platform);
        for (const d of digests) use.localDigests.add(d.slice(d.indexOf("@") + 1));
      }
    }
    return [...uses.values()];
  }

  private platformOf(hostId: string): string | null {
    const arch = this.deps.fleet.getHost(hostId)?.facts.arch;
    return arch ? platformKey(ociPlatform(arch)) : null;
  }

  private async run(hostIds: readonly string[] | undefined, fresh: boolean): Promise<CheckSummary> {
    const startedAt = Date.now();
    const byRegistry = new Map<string, ReferenceInUse[]>();
    for (const use of this.inUse(hostIds)) {
      const { registry } = parseReference(use.reference);
      byRegistry.set(registry, [...(byRegistry.get(registry) ?? []), use]);
    }
    const runs = await Promise.all(
      [...byRegistry].map(async ([registry, uses]) => checkRegistryReferences(await this.deps.registries.targetForRegistry(registry), uses, this.checks, fresh)),
    );
    const checks = runs.flatMap((r) => r.checks);
    await this.save(checks);
    const outdated = this.outdatedReferences();
    const summary: CheckSummary = {
      startedAt,
      finishedAt: Date.now(),
      references: checks.length,
      requests: runs.reduce((n, r) => n + r.requests, 0),
      outdated: checks.filter((c) => outdated.has(c.reference)).length,
      failed: checks.filter((c) => c.error).length,
    };
    const hours = (await this.deps.settings.get("images")).updateCheckHours;
    await this.deps.db.updateCheckRun.upsert({
      where: { id: RUN_ID },
      create: { id: RUN_ID, nextAt: new Date(startedAt + hours * 3_600_000), startedAt: new Date(startedAt), finishedAt: new Date(summary.finishedAt), summary: JSON.stringify(summary) },
      update: { finishedAt: new Date(summary.finishedAt), summary: JSON.stringify(summary) },
    });
    this.deps.log.info(summary, "update check");
    return summary;
  }

  /** The references some container runs an outdated image of. */
  private outdatedReferences(): Set<string> {
    const out = new Set<string>();
    for (const host of this.deps.fleet.containersByHost()) {
      for (const c of host.view.containers) if (this.statusOf(c, host.id)?.state === "outdated") out.add(checkedReference(c.image)!);
    }
    return out;
  }

  private async save(checks: ReferenceCheck[]): Promise<void> {
    if (checks.length === 0) return;
    await this.deps.db.$transaction(
      checks.map((c) => {
        const data = {
          checkedAt: new Date(c.checkedAt),
          digest: c.digest,
          manifests: JSON.stringify(c.manifests),
          newer: c.newer ? JSON.stringify(c.newer) : null,
          newerCheckedAt: c.newerCheckedAt === null ? null : new Date(c.newerCheckedAt),
          error: c.error,
        };
        return this.deps.db.imageUpdateCheck.upsert({ where: { reference: c.reference }, create: { reference: c.reference, ...data }, update: data });
      }),
    );
    for (const c of checks) this.checks.set(c.reference, c);
    const references = checks.map((c) => c.reference);
    this.emit("checked", references);
    if (this.deps.bus.clustered) this.deps.bus.publish("updates", { references });
  }

  private async reload(references?: string[]): Promise<void> {
    const rows = await this.deps.db.imageUpdateCheck.findMany(references ? { where: { reference: { in: references } } } : undefined);
    for (const row of rows) {
      // A row that no longer reads (hand-edited, an older shape) counts as unchecked detail, not a crash.
      const manifests = z.array(PlatformManifest).safeParse(parseJson(row.manifests));
      const newer = NewerVersionsJson.safeParse(row.newer ? parseJson(row.newer) : null);
      this.checks.set(row.reference, {
        reference: row.reference,
        checkedAt: row.checkedAt.getTime(),
        digest: row.digest,
        manifests: manifests.success ? manifests.data : [],
        newer: newer.success ? newer.data : null,
        newerCheckedAt: row.newerCheckedAt?.getTime() ?? null,
        error: row.error,
      });
    }
    if (rows.length) this.emit("checked", rows.map((r) => r.reference));
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
