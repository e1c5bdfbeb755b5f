/**
 * The agent on a host with N containers (default 100), idle: its resident memory and CPU while it
 * keeps the fleet view live (events, liveness) and samples stats every interval (default 5 s).
 * It runs as hosts install it, the one-file bundle (built when missing); STEVEDORE_AGENT_ENTRY=
 * agent/bin/stevedore-agent.mjs measures the sources through tsx instead.
 * Usage: npm run bench:agent-idle -- [containers=100] [seconds=30]
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { TEST_IMAGE, docker, ensureTestImage, removeTestContainers } from "../apps/web/test/support/engine";
import { startWithLocalAgent } from "./support/control-plane-process";
import { cpuSeconds, rssMiB, runBench } from "./support/measure";

const CONTAINERS = Number(process.argv[2] ?? 100);
const SECONDS = Number(process.argv[3] ?? 30);

async function main(): Promise<void> {
  process.env.STEVEDORE_AGENT_ENTRY ??= "agent/dist/stevedore-agent.mjs";
  if (!fs.existsSync(process.env.STEVEDORE_AGENT_ENTRY)) execFileSync("node", ["agent/scripts/bundle.mjs"], { stdio: "inherit" });
  await ensureTestImage();
  await removeTestContainers();
  for (let i = 0; i < CONTAINERS; i += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, CONTAINERS - i) }, (_, j) => docker(["run", "-d", "--label", "stevedore.test=1", "--name", `bench-idle-${i + j}`, TEST_IMAGE, "sleep", "100000"])),
    );
  }
  const stack = await startWithLocalAgent();
  const pid = stack.agent.proc.pid!;
  while ((await stack.api.containers.list.query({ q: "bench-idle-" })).total < CONTAINERS) await new Promise((r) => setTimeout(r, 200));
  // Let start-up work (snapshot, first stats rounds) settle.
  await new Promise((r) => setTimeout(r, 10_000));
  const c0 = cpuSeconds(pid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const cpu = (100 * (cpuSeconds(pid) - c0)) / ((performance.now() - t0) / 1000);
  console.log(`\nAgent (${process.env.STEVEDORE_AGENT_ENTRY}) with ${CONTAINERS} running containers, idle for ${SECONDS} s (stats every 5 s):`);
  console.log(`  CPU ${cpu.toFixed(2)}% of one core (target < 1%), RSS ${rssMiB(pid, "VmRSS").toFixed(0)} MiB, peak ${rssMiB(pid, "VmHWM").toFixed(0)} MiB (target < 60 MB)`);
  console.log(`  of the RSS now: ${rssMiB(pid, "RssFile").toFixed(0)} MiB mapped from files (the node binary, shared), ${rssMiB(pid, "RssAnon").toFixed(0)} MiB the agent's own`);
  await stack.stop();
  await removeTestContainers();
}

runBench(main);
