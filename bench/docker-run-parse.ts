/**
 * parseDockerRun on the worst 64 KiB lines (the size limit), next to shell-quote over the whole line, which
 * parseDockerRun avoids: its work grows with the square of the words. Pure CPU, no engine.
 * Usage: npx tsx bench/docker-run-parse.ts
 */
import { parse as shellParse } from "shell-quote";
import { MAX_DOCKER_RUN_BYTES, parseDockerRun } from "../packages/protocol/src";

const fill = (prefix: string, unit: string) => prefix + unit.repeat(Math.floor((MAX_DOCKER_RUN_BYTES - prefix.length - 6) / unit.length)) + " app:1";
const LINES: [string, string][] = [
  ["a real line (postgres, 14 flags)", "docker run -d --name pg -p 127.0.0.1:5432:5432 -e POSTGRES_PASSWORD=x -v pgdata:/var/lib/postgresql/data --memory 1g --cpus 1.5 --restart unless-stopped postgres:16.4"],
  ["64 KiB of one-letter words", fill("docker run app:1", " a")],
  ["64 KiB of -p 80", fill("docker run", " -p 80")],
  ["64 KiB of grouped switches", fill("docker run -", "d")],
  ["64 KiB of # in one word", fill("docker run -e A=", "#")],
];

const ms = (f: () => unknown, runs: number) => {
  const start = performance.now();
  for (let i = 0; i < runs; i++) f();
  return (performance.now() - start) / runs;
};

for (const [name, line] of LINES) {
  const runs = line.length < 1000 ? 10_000 : 5;
  console.log(`${name}: parseDockerRun ${ms(() => parseDockerRun(line), runs).toFixed(3)} ms, shell-quote over the line ${ms(() => shellParse(line), 1).toFixed(1)} ms`);
}
