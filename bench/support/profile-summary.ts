/**
 * The heaviest functions of a V8 CPU profile (.cpuprofile from DevTools or CDP), by self time, with
 * their script and line. Usage: npx tsx bench/support/profile-summary.ts FILE [N=25]
 */
import fs from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, n = "25"] = process.argv.slice(2);
if (!file) throw new Error("usage: profile-summary.ts FILE [N]");
const profile = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const f = byId.get(id)!.callFrame;
  const key = `${f.functionName || "(anonymous)"} ${f.url.split("/").pop()}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
  const us = profile.timeDeltas[i] ?? 0;
  self.set(key, (self.get(key) ?? 0) + us);
  total += us;
});
const idle = [...self].filter(([k]) => k.startsWith("(idle)") || k.startsWith("(program)")).reduce((s, [, v]) => s + v, 0);
console.log(`${(total / 1000).toFixed(0)} ms sampled, ${((total - idle) / 1000).toFixed(0)} ms busy`);
for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) console.log(`${(us / 1000).toFixed(1).padStart(8)} ms  ${k}`);
