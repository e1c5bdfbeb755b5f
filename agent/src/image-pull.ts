import type Docker from "dockerode";
import type { LayerPhase, LayerProgress, PullProgress, PullResult, RegistryAuth } from "@stevedore/protocol";

/** Progress goes out at most this often: the engine reports every few KB per layer. */
const PROGRESS_INTERVAL_MS = 250;

/** One line of the engine's /images/create JSON stream. */
interface PullEvent {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
}

/** A pull failed inside the stream (after the engine answered 200): the engine's words, and why. */
export class PullError extends Error {
  constructor(
    message: string,
    readonly code: "not_found" | "registry_denied" | "engine_error" | "cancelled",
  ) {
    super(message);
  }
}

const PHASES: [RegExp, LayerPhase][] = [
  [/^Pulling fs layer|^Waiting/, "waiting"],
  [/^Downloading/, "downloading"],
  [/^Verifying Checksum/, "verifying"],
  [/^Download complete/, "downloaded"],
  [/^Extracting/, "extracting"],
  [/^Pull complete/, "complete"],
  [/^Already exists/, "exists"],
];

export function layerPhase(status: string): LayerPhase | null {
  return PHASES.find(([re]) => re.test(status))?.[1] ?? null;
}

export function pullErrorCode(message: string): PullError["code"] {
  if (/unauthorized|authentication required|denied|no basic auth credentials/i.test(message)) return "registry_denied";
  if (/not found|manifest unknown|does not exist/i.test(message)) return "not_found";
  return "engine_error";
}

/**
 * `docker pull`, reporting per-layer progress in batches (only layers that changed since the last
 * batch). Aborting the signal closes the engine connection, which cancels the pull in the engine.
 */
export async function pullImage(docker: Docker, reference: string, auth: RegistryAuth | undefined, onProgress: (p: PullProgress) => void, signal: AbortSignal): Promise<PullResult> {
  const stream = (await docker.pull(reference, { abortSignal: signal, ...(auth ? { authconfig: auth } : {}) })) as NodeJS.ReadableStream;
  const changed = new Map<string, LayerProgress>();
  let status: string | undefined;
  let digest: string | null = null;
  let lastSent = 0;
  const flush = (force: boolean) => {
    if (!force && Date.now() - lastSent < PROGRESS_INTERVAL_MS) return;
    if (changed.size === 0 && status === undefined) return;
    onProgress({ status, layers: [...changed.values()] });
    changed.clear();
    status = undefined;
    lastSent = Date.now();
  };

  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null) => (err ? reject(err) : resolve()),
      (e: PullEvent) => {
        if (e.error) return; // followProgress reports it to the finish callback
        const text = e.status ?? "";
        const phase = layerPhase(text);
        if (phase && e.id) {
          const { current, total } = e.progressDetail ?? {};
          changed.set(e.id, { id: e.id, phase, ...(total ? { current, total } : {}) });
        } else if (text) {
          status = e.id ? `${text} ${e.id}` : text;
          digest = /^Digest: (sha256:[0-9a-f]{64})/.exec(text)?.[1] ?? digest;
        }
        flush(false);
      },
    );
    signal.addEventListener("abort", () => reject(new PullError("the pull was cancelled", "cancelled")), { once: true });
  }).catch((err: unknown) => {
    if (err instanceof PullError) throw err;
    if (signal.aborted) throw new PullError("the pull was cancelled", "cancelled");
    const message = err instanceof Error ? err.message : String(err);
    throw new PullError(message, pullErrorCode(message));
  });
  flush(true);

  const image = await docker.getImage(reference).inspect();
  const repo = reference.replace(/[@:][^/]*$/, "");
  digest ??= image.RepoDigests?.find((d) => d.startsWith(`${repo}@`))?.split("@")[1] ?? null;
  return { reference, imageId: image.Id, digest };
}
