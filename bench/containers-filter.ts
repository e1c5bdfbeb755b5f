/**
 * The containers page's filter, as a person types into it: keystroke → rows on screen, in Chromium,
 * against the built UI and a control plane started the production way, fed by simulated agents (the
 * real protocol; bench/support/sim-agent.ts). Two fleets: 500 containers on one host, and 1,000 on 50
 * hosts. Each keystroke sets the filter box's value and fires its input event inside the page; the time
 * runs until the table says it shows the answer for that text (`data-rows-for`) and a frame has been
 * painted, split (from the page's resource timing) into before the list request, the request, and after
 * its answer (rendering). Beside it, the server's own answer time for the same queries (tRPC over loopback, from Node).
 * A text the page has asked for before would come from its query cache, so each text is measured once
 * (repeats are typed, not counted). Needs `npm run build` first. Usage: npm run bench:containers-filter
 */
import fs from "node:fs";
import { chromium } from "@playwright/test";
import { enroll } from "../agent/src/credentials";
import { ADMIN_EMAIL, ADMIN_PASSWORD, apiClient, signIn } from "../apps/web/test/support/stack";
import { startControlPlaneProcess } from "./support/control-plane-process";
import { percentile, runBench } from "./support/measure";
import { SimAgent } from "./support/sim-agent";

/** What is typed, one character at a time: free words, label, status, image and host terms. */
const TYPED = ["svc-1", "label:team=team-2", "status:running app-3", "team=team-1 image:app-5", "host:sim-00 unhealthy", "label:com.docker.compose.project=stack-7", "registry.example.com/team/app-1"];
/**
 * Runs in the page: sets the box's value as typing does, fires its input event, and resolves with the
 * time until the table shows rows for that text and the next frame is painted. A string, so the
 * bundler's helpers (tsx names functions) do not reach the page.
 */
const KEYSTROKE = `(value) => new Promise((resolve, reject) => {
  const input = document.querySelector('input[type="search"]');
  const table = document.querySelector('table[aria-label="Containers"]');
  const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
  performance.clearResourceTimings();
  const t0 = performance.now();
  setValue.call(input, value);
  input.dispatchEvent(new Event("input", { bubbles: true }));
  const check = () => {
    if (table.dataset.rowsFor === value.trim())
      requestAnimationFrame(() => {
        const painted = performance.now();
        // The list request this keystroke made (none when the answer was cached): where the time went.
        const req = performance.getEntriesByType("resource").filter((e) => e.name.includes("containers.list") && e.startTime >= t0).pop();
        resolve({ total: painted - t0, beforeRequest: req ? req.startTime - t0 : null, request: req ? req.responseEnd - req.startTime : null, afterAnswer: req ? painted - req.responseEnd : null });
      });
    else if (performance.now() > t0 + 10000) reject(new Error("no rows for " + JSON.stringify(value) + " in 10 s"));
    else requestAnimationFrame(check);
  };
  check();
})`;
interface Keystroke {
  total: number;
  beforeRequest: number | null;
  request: number | null;
  afterAnswer: number | null;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(1)} ms, p90 ${percentile(xs, 90).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms (${xs.length} keystrokes)`;

async function fleet(hosts: number, perHost: number) {
  const cp = await startControlPlaneProcess({ env: { BENCH_UI: "1" } });
  const cookie = await signIn(cp.url);
  const api = apiClient(cp.url, cookie);
  const agents: SimAgent[] = [];
  for (let i = 0; i < hosts; i++) {
    const name = `sim-${String(i).padStart(3, "0")}`;
    const { token } = await api.hosts.createJoinToken.mutate();
    const creds = await enroll(cp.url, token, name);
    // Some variety to filter on: states, health, images and labels differ across containers.
    const agent = new SimAgent(cp.url, creds.hostId, creds.credential, name, perHost, {
      container: (j) => ({
        state: j % 9 === 0 ? "exited" : "running",
        exitCode: j % 9 === 0 ? 1 : 0,
        health: j % 13 === 0 ? "unhealthy" : null,
        image: `registry.example.com/team/app-${(i + j) % 11}:1.${j % 5}.0`,
        labels: { team: `team-${(i + j) % 4}`, "com.docker.compose.project": `stack-${j % 20}` },
      }),
    });
    agent.connect();
    agents.push(agent);
  }
  while (!agents.every((a) => a.online)) await sleep(50);
  while ((await api.containers.list.query({ limit: 1 })).total < hosts * perHost) await sleep(50);
  return { cp, api, agents, stop: async () => (agents.forEach((a) => a.stop()), await cp.stop()) };
}

async function measure(label: string, hosts: number, perHost: number) {
  const f = await fleet(hosts, perHost);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${f.cp.url}/login`);
    await page.getByLabel("Email").fill(ADMIN_EMAIL);
    await page.getByLabel("Password").fill(ADMIN_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((u) => !u.pathname.startsWith("/login"));
    await page.goto(`${f.cp.url}/containers`);
    await page.getByTestId("container-row").first().waitFor();

    // BENCH_PROFILE=file.cpuprofile: the page's CPU profile over the typing, for DevTools (or bench/support/profile-summary.ts).
    const profiling = process.env.BENCH_PROFILE ? await page.context().newCDPSession(page) : null;
    if (profiling) {
      await profiling.send("Profiler.enable");
      await profiling.send("Profiler.start");
    }
    const browserMs: number[] = [];
    const parts = { beforeRequest: [] as number[], request: [] as number[], afterAnswer: [] as number[] };
    const seen = new Set<string>([""]);
    for (const text of TYPED) {
      for (let n = 0; n <= text.length; n++) {
        // n = 0 clears the box, as selecting all and typing over it does.
        const value = text.slice(0, n);
        const t = await page.evaluate<Keystroke>(`(${KEYSTROKE})(${JSON.stringify(value)})`);
        if (!seen.has(value.trim())) {
          browserMs.push(t.total);
          if (t.request !== null) for (const k of ["beforeRequest", "request", "afterAnswer"] as const) parts[k].push(t[k]!);
        }
        seen.add(value.trim());
      }
    }

    if (profiling) {
      const { profile } = await profiling.send("Profiler.stop");
      fs.writeFileSync(`${label.replace(/\W+/g, "-")}.${process.env.BENCH_PROFILE}`, JSON.stringify(profile));
    }
    const serverMs: number[] = [];
    for (const text of TYPED) {
      for (let n = 1; n <= text.length; n++) {
        const t0 = performance.now();
        await f.api.containers.list.query({ q: text.slice(0, n), limit: 50 });
        serverMs.push(performance.now() - t0);
      }
    }
    console.log(
      `${label}\n  keystroke → rows painted (Chromium): ${fmt(browserMs)}\n` +
        `    of which before the request ${fmt(parts.beforeRequest)}\n    the request ${fmt(parts.request)}\n    after the answer ${fmt(parts.afterAnswer)}\n` +
        `  server answer (tRPC over loopback, 50 rows): ${fmt(serverMs)}`,
    );
  } finally {
    await browser.close();
    await f.stop();
  }
}

runBench(async () => {
  await measure("500 containers on 1 host", 1, 500);
  await measure("1,000 containers on 50 hosts", 50, 20);
});
