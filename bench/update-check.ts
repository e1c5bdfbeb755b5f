/**
 * What an update check costs: N containers on simulated hosts (real protocol and sockets) running
 * R distinct references of a real local registry (Debian's docker-registry), every one of them what
 * its tag names. Prints the requests the check made (our count and the registry's own access log)
 * and how long it took, for:
 *   on demand    "Check now": digests, and every repository's tag list
 *   scheduled    a later scheduled run: digests only (tag lists are re-read daily)
 *   10% moved    the same after R/10 tags were pushed again (those need their manifest too)
 * Target (issue 16): 1,000 containers over 100 references in at most 100 requests and under 10 s.
 * Usage: npm run bench:update-check -- [containers=1000] [references=100] [repositories=10]
 */
import { enroll } from "../agent/src/credentials";
import { docker, ensureTestImage } from "../apps/web/test/support/engine";
import { TestRegistry, manifestDescriptor, pushMarkedImage } from "../apps/web/test/support/registry";
import { apiClient, signIn, startStack } from "../apps/web/test/support/stack";
import { runBench } from "./support/measure";
import { SimAgent } from "./support/sim-agent";

const CONTAINERS = Number(process.argv[2] ?? 1000);
const REFERENCES = Number(process.argv[3] ?? 100);
const REPOSITORIES = Number(process.argv[4] ?? 10);
const HOSTS = 10;
const TAGS_PER_REPO = Math.ceil(REFERENCES / REPOSITORIES);

type StoredManifest = { body: string; mediaType: string; blobs: string[] };

/** A pushed image's manifest as the registry stores it, with the blobs it names. */
async function readManifest(registry: TestRegistry, repository: string, tag: string): Promise<StoredManifest> {
  const { mediaType } = await manifestDescriptor(registry, repository, tag);
  const body = await (await fetch(`http://${registry.host}/v2/${repository}/manifests/${tag}`, { headers: { accept: mediaType } })).text();
  const parsed = JSON.parse(body) as { config: { digest: string }; layers: { digest: string }[] };
  return { body, mediaType, blobs: [parsed.config.digest, ...parsed.layers.map((l) => l.digest)] };
}

/** Copies a manifest (and, by cross-repository mounts, its blobs) to another repository and tag over the registry API. */
async function copyManifest(registry: TestRegistry, from: string, to: string, tag: string, manifest: StoredManifest): Promise<void> {
  for (const digest of manifest.blobs) {
    const res = await fetch(`http://${registry.host}/v2/${to}/blobs/uploads/?mount=${digest}&from=${from}`, { method: "POST" });
    if (res.status !== 201) throw new Error(`mounting ${digest} into ${to}: HTTP ${res.status}`);
  }
  const res = await fetch(`http://${registry.host}/v2/${to}/manifests/${tag}`, { method: "PUT", headers: { "content-type": manifest.mediaType }, body: manifest.body });
  if (res.status !== 201) throw new Error(`putting ${to}:${tag}: HTTP ${res.status} ${await res.text()}`);
}

async function main(): Promise<void> {
  await ensureTestImage();
  const registry = await TestRegistry.start({ countRequests: true });
  const stack = await startStack();
  const agents: SimAgent[] = [];
  try {
    // One image, under R references spread over the repositories.
    const imageId = await pushMarkedImage(registry, ["bench/app-0:1.0.0"], "bench");
    const descriptor = await manifestDescriptor(registry, "bench/app-0", "1.0.0");
    const manifest = await readManifest(registry, "bench/app-0", "1.0.0");
    const references: string[] = [];
    for (let r = 0; r < REFERENCES; r++) {
      const repository = `bench/app-${r % REPOSITORIES}`;
      const tag = `1.0.${Math.floor(r / REPOSITORIES) % TAGS_PER_REPO}`;
      if (repository !== "bench/app-0" || tag !== "1.0.0") await copyManifest(registry, "bench/app-0", repository, tag, manifest);
      references.push(`${registry.host}/${repository}:${tag}`);
    }
    const repoDigests = Array.from({ length: REPOSITORIES }, (_, k) => `${registry.host}/bench/app-${k}@${descriptor.digest}`);
    const image = { id: imageId, repoTags: references, repoDigests, createdAt: Date.now(), sizeBytes: 1 };

    const api = apiClient(stack.url, await signIn(stack.url));
    for (let h = 0; h < HOSTS; h++) {
      const name = `upd-sim-${h}`;
      const creds = await enroll(stack.url, await stack.joinToken(), name);
      const agent = new SimAgent(stack.url, creds.hostId, creds.credential, name, CONTAINERS / HOSTS, {
        images: [image],
        container: (i) => ({ image: references[(h * (CONTAINERS / HOSTS) + i) % REFERENCES]!, imageId }),
      });
      agent.connect();
      agents.push(agent);
    }
    const hostIds = agents.map((a) => a.hostId);
    const deadline = Date.now() + 30_000;
    while ((await api.containers.list.query({ limit: 1 })).total < CONTAINERS) {
      if (Date.now() > deadline) throw new Error("the simulated fleet did not come online");
      await new Promise((r) => setTimeout(r, 100));
    }
    const updates = stack.cp.services.updates;
    console.log(`${CONTAINERS} containers on ${HOSTS} hosts, ${updates.inUse().length} distinct references in ${REPOSITORIES} repositories`);

    const measure = async (label: string, check: () => Promise<{ requests: number; references: number; outdated: number }>) => {
      const before = registry.answered();
      const t0 = performance.now();
      const s = await check();
      const ms = performance.now() - t0;
      // The registry writes its access log line after the answer: give it a moment to land.
      await new Promise((r) => setTimeout(r, 200));
      console.log(`${label.padEnd(12)} ${String(s.requests).padStart(4)} requests (registry's log: ${registry.answered() - before}), ${(ms / 1000).toFixed(2)} s, ${s.references} references, ${s.outdated} outdated`);
    };
    await measure("on demand", () => api.updates.check.mutate({ hostIds }));
    await measure("scheduled", () => updates.check(undefined, false));

    // A tenth of the tags moved to another image.
    const moved = await pushMarkedImage(registry, ["bench/moved:1"], "bench-moved");
    const movedManifest = await readManifest(registry, "bench/moved", "1");
    for (let r = 0; r < REFERENCES; r += 10) {
      const [repository, tag] = references[r]!.slice(registry.host.length + 1).split(":") as [string, string];
      await copyManifest(registry, "bench/moved", repository, tag, movedManifest);
    }
    await measure("10% moved", () => updates.check(undefined, false));
    await docker(["rmi", "-f", imageId, moved]).catch(() => "");
  } finally {
    for (const a of agents) a.stop();
    await stack.close();
    await registry.stop();
  }
}

runBench(main);
