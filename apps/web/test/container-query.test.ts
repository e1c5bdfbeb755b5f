// Once per run: nothing here depends on which database the control plane uses, or it makes its own PostgreSQL (scripts/test.sh).
// Engine-free: changes nothing on the Docker Engine, so it runs beside the files that do (vitest.config.ts).
import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import type { ContainerState, ContainerSummary, EngineFacts } from "@stevedore/protocol";
import { listContainers } from "../server/fleet/container-query";
import { FleetState } from "../server/fleet/fleet-state";

const ENGINE: EngineFacts = { version: "x", apiVersion: "1.41", storageDriver: "overlay2", dockerRootDir: "/", os: "x", kernelVersion: "x" };
const STATES: ContainerState[] = ["running", "exited", "paused", "created"];

/** A fleet of 3 hosts × 700 containers with colliding names, times and states, so ties are common. */
function fleet(): FleetState {
  const f = new FleetState();
  let n = 0;
  for (const host of ["alpha", "beta", "gamma"]) {
    f.addHost({ id: `h_${host}`, name: host, groups: host === "beta" ? ["prod"] : [], lastSeenAt: null, facts: {}, engine: null });
    const containers: ContainerSummary[] = Array.from({ length: 700 }, () => {
      const i = n++;
      return {
        id: crypto.createHash("sha256").update(String(i)).digest("hex"),
        name: `svc-${i % 37}`,
        image: `app:${i % 5}`,
        imageId: "sha256:x",
        command: i % 11 === 0 ? "worker --queue" : "serve",
        createdAt: 1_700_000_000_000 + (i % 50) * 1000,
        state: STATES[i % 4]!,
        exitCode: 0,
        startedAt: null,
        finishedAt: null,
        health: i % 4 === 0 && i % 3 === 0 ? "unhealthy" : null,
        ports: [],
        labels: (i % 7 === 0 ? { team: "ux", tier: i % 2 ? "web" : "db" } : i % 7 === 1 ? { team: "ux core" } : {}) as Record<string, string>,
      };
    });
    f.snapshot(`h_${host}`, ENGINE, containers, []);
  }
  return f;
}

describe("the containers page query", () => {
  const f = fleet();
  const everything = listContainers(f, { limit: 500, offset: 0 });

  it("pages match a full sort for every sort, direction, filter and depth, with counts over all rows", () => {
    for (const sort of ["created", "name", "image", "state", "host"] as const) {
      for (const dir of ["asc", "desc"] as const) {
        for (const filter of [{}, { state: "exited" as const }, { q: "worker" }, { group: "prod" }, { hostId: "h_gamma", q: "SVC-3" }]) {
          // Reference: every matching row, fully sorted the plain way, paged by hand.
          const all: ReturnType<typeof listContainers>["items"] = [];
          for (let offset = 0; ; offset += 500) {
            const page = listContainers(f, { ...filter, sort, dir, limit: 500, offset, state: filter.state ?? "all" });
            all.push(...page.items);
            if (page.items.length < 500) break;
          }
          const key = (r: (typeof all)[number]) => ({ name: r.name, image: r.image, state: r.state, host: r.hostName, created: r.createdAt })[sort];
          const sorted = [...all].sort((a, b) => (dir === "asc" ? 1 : -1) * (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0) || (a.id < b.id ? -1 : 1));
          expect(all.map((r) => r.id)).toEqual(sorted.map((r) => r.id));
          for (const [offset, limit] of [[0, 100], [250, 50], [1990, 100]] as const) {
            const page = listContainers(f, { ...filter, sort, dir, offset, limit });
            expect(page.items.map((r) => r.id)).toEqual(sorted.slice(offset, offset + limit).map((r) => r.id));
            expect(page.total).toBe(all.length);
          }
        }
      }
    }
  });

  it("counts by state over the text and host filters, and searches names, images, commands, hosts and id prefixes", () => {
    expect(everything.byState).toMatchObject({ all: 2100, running: 525, exited: 525, paused: 525, created: 525 });
    expect(listContainers(f, { q: "gamma" }).total).toBe(700);
    expect(listContainers(f, { q: "APP:3" }).total).toBe(420);
    const one = everything.items[0]!;
    expect(listContainers(f, { q: one.id.slice(0, 12) }).items.map((r) => r.id)).toEqual([one.id]);
    expect(listContainers(f, { q: one.id.slice(5, 17) }).total).toBe(0);
    // A host's texts are searched joined: a hit running from one container's text into the next is none.
    expect(listContainers(f, { q: '"serve\nsvc"' }).total).toBe(0);
    expect(listContainers(f, { q: '"svc-3\napp:3"' }).total).toBeGreaterThan(0);
  });

  it("filters by label, image, host and status terms and free words together, counting over all of them", () => {
    // Reference: every row, filtered the plain way.
    const all: ReturnType<typeof listContainers>["items"] = [];
    for (let offset = 0; ; offset += 500) {
      const page = listContainers(f, { limit: 500, offset });
      all.push(...page.items);
      if (page.items.length < 500) break;
    }
    const expectFilter = (q: string, keep: (r: (typeof all)[number]) => boolean) => {
      const want = all.filter(keep);
      const got = listContainers(f, { q, limit: 500, sort: "name", dir: "asc" });
      expect(got.total, q).toBe(want.length);
      expect(got.byState.running, q).toBe(want.filter((r) => r.state === "running").length);
      expect(got.problems, q).toEqual([]);
      expect(new Set(got.items.map((r) => r.id)).size).toBe(Math.min(500, want.length));
      for (const r of got.items) expect(keep(r), `${q}: ${r.name}`).toBe(true);
      return want.length;
    };
    expect(expectFilter("label:team=ux", (r) => r.labels.team === "ux")).toBe(300);
    expect(expectFilter('label:team="ux core"', (r) => r.labels.team === "ux core")).toBe(300);
    expect(expectFilter("label:tier", (r) => "tier" in r.labels)).toBe(300);
    // A free word finds labels as key=value, as well as names, images and commands.
    expect(expectFilter("team=ux", (r) => r.labels.team?.startsWith("ux") ?? false)).toBe(600);
    expectFilter("label:tier=web status:running host:BETA", (r) => r.labels.tier === "web" && r.state === "running" && r.hostName === "beta");
    expectFilter("image:app:3 worker", (r) => r.image === "app:3" && r.command.includes("worker"));
    expectFilter("status:unhealthy", (r) => r.state === "running" && r.health === "unhealthy");
    expectFilter("status:exited,paused svc-1", (r) => (r.state === "exited" || r.state === "paused") && r.name.includes("svc-1"));
    // A word that names a host holds for all its rows; a second word still narrows them.
    expectFilter("gamma worker", (r) => r.hostName === "gamma" && r.command.includes("worker"));
    expect(listContainers(f, { q: "label:team=ux host:nowhere" }).total).toBe(0);
    expect(listContainers(f, { q: "status:sleepy" }).problems).toEqual([expect.stringMatching(/not a status/)]);
  });
});
