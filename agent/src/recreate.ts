import type Docker from "dockerode";
import { PREVIOUS_IMAGE_LABEL, type HealthGate, type RecreateProgress, type RecreateResult, type RunSpec } from "@stevedore/protocol";
import { runContainer } from "./container-create";
import { engineMessage } from "./engine";

/** How often the new container's state is read while it is watched. */
const POLL_MS = 500;
/** The engine's own default when a container names no stop timeout. */
const DEFAULT_STOP_SECONDS = 10;

class GateFailed extends Error {}

/**
 * Replaces a container under its name, keeping the old one until the new one has proved itself:
 *   1. the old one is renamed aside and stopped with its own stop timeout;
 *   2. the new one is created under the name and started;
 *   3. it must report healthy (its healthcheck, or the image's) or, without one, keep running for
 *      `stableSeconds` without exiting or restarting;
 *   4. then the old one is removed. If 2 or 3 fails, the new one is removed and the old one renamed
 *      back and started again, as it was, and the reason reported.
 * A container that was not running is replaced by a created one, with no gate. `spec` has passed the
 * run policy; its name is replaced by the old container's.
 */
export async function recreateContainer(docker: Docker, id: string, spec: RunSpec, gate: HealthGate, progress: (p: RecreateProgress) => void, signal?: AbortSignal): Promise<RecreateResult> {
  const old = docker.getContainer(id);
  const before = await old.inspect();
  const name = before.Name.replace(/^\//, "");
  const aside = `${name}-previous-${Date.now().toString(36)}`;
  const wasRunning = before.State.Running || before.State.Restarting;
  const previous = { id: before.Id, name: aside, imageId: before.Image };

  progress({ phase: "stopping", message: `renaming ${name} to ${aside} and stopping it` });
  await old.rename({ name: aside });
  let created: string | null = null;
  try {
    if (wasRunning) await ignoreNotModified(old.stop({ t: (before.Config as { StopTimeout?: number }).StopTimeout ?? DEFAULT_STOP_SECONDS }));
    progress({ phase: "starting", message: `${wasRunning ? "starting" : "creating"} ${name} from ${spec.image}` });
    // A stopped container is replaced by a created one: recreating changes settings, not whether it runs.
    const run = await runContainer(docker, { ...spec, name, labels: { ...spec.labels, [PREVIOUS_IMAGE_LABEL]: before.Image } }, { start: wasRunning });
    created = run.id;
    if (run.startError) throw new GateFailed(`the new container did not start: ${run.startError}`);
    const judged = wasRunning ? await watch(docker.getContainer(run.id), gate, progress, signal) : undefined;
    progress({ phase: "removing-old", message: `removing the old container ${aside}` });
    await old.remove({ force: true });
    return { outcome: "replaced", gate: judged, current: { id: run.id, name, imageId: run.imageId, imageDigests: run.imageDigests }, previous };
  } catch (err) {
    const reason = err instanceof GateFailed ? err.message : `the recreate failed: ${engineMessage(err)}`;
    progress({ phase: "rolling-back", message: `${reason}; putting ${name} back as it was` });
    try {
      if (created) await docker.getContainer(created).remove({ force: true });
      await old.rename({ name });
      if (wasRunning) await ignoreNotModified(old.start());
      return { outcome: "rolled-back", reason, current: { id: before.Id, name, imageId: before.Image, imageDigests: await digestsOf(docker, before.Image) }, previous: { ...previous, name } };
    } catch (rollbackErr) {
      return {
        outcome: "rollback-failed",
        reason: `${reason}; restoring the old container failed too: ${engineMessage(rollbackErr)} (it is kept as ${aside})`,
        current: { id: created ?? before.Id, name: created ? name : aside, imageId: before.Image, imageDigests: [] },
        previous,
      };
    }
  }
}

/** Watches the new container until it passes the gate; throws GateFailed with what went wrong. */
async function watch(c: Docker.Container, gate: HealthGate, progress: (p: RecreateProgress) => void, signal?: AbortSignal): Promise<"healthy" | "stable"> {
  const started = Date.now();
  let restarts: number | null = null;
  for (;;) {
    if (signal?.aborted) throw new GateFailed("cancelled while the new container was being watched");
    const info = await c.inspect();
    const elapsed = (Date.now() - started) / 1000;
    restarts ??= info.RestartCount;
    if (!info.State.Running || info.State.Restarting) throw new GateFailed(`the new container exited with code ${info.State.ExitCode} after ${elapsed.toFixed(1)} s${info.State.Error ? `: ${info.State.Error}` : ""}`);
    if (info.RestartCount > restarts) throw new GateFailed(`the new container restarted after ${elapsed.toFixed(1)} s (exit code ${info.State.ExitCode})`);
    const health = info.State.Health;
    if (health) {
      if (health.Status === "healthy") return "healthy";
      if (health.Status === "unhealthy") throw new GateFailed(`the new container is unhealthy: ${lastProbe(health) ?? `${health.FailingStreak} failed checks`}`);
      if (elapsed > gate.healthTimeoutSeconds) throw new GateFailed(`the new container was not healthy within ${gate.healthTimeoutSeconds} s`);
      progress({ phase: "waiting-healthy", message: `waiting for the healthcheck (${Math.floor(elapsed)} s)` });
    } else {
      if (elapsed >= gate.stableSeconds) return "stable";
      progress({ phase: "watching", message: `running for ${Math.floor(elapsed)} of ${gate.stableSeconds} s without a restart` });
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function lastProbe(health: { Log?: { ExitCode: number; Output: string }[] }): string | null {
  const last = health.Log?.at(-1);
  return last ? `the last check exited ${last.ExitCode}${last.Output.trim() ? `: ${last.Output.trim().slice(0, 500)}` : ""}` : null;
}

async function digestsOf(docker: Docker, imageId: string): Promise<string[]> {
  return (await docker.getImage(imageId).inspect().catch(() => null))?.RepoDigests ?? [];
}

/** A stop of a stopped container, or a start of a started one, is done already (304). */
async function ignoreNotModified(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 304) throw err;
  }
}
