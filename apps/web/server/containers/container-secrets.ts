import type { CallerAccess } from "../access/caller-access";
import type { ContainerRow } from "../fleet/types";

/**
 * A container's environment values, command arguments and process command lines hold the same
 * secrets its logs do (database passwords, API keys), so they are shown only to callers who may read
 * its logs there. Others see the program, the variable names and that something was withheld.
 */
export const REDACTED = "<redacted>";

/** "mysqld --password=x" → "mysqld <redacted>": the program stays, its arguments go. */
function redactCommandLine(line: string): string {
  const trimmed = line.trim();
  const space = trimmed.search(/\s/);
  return space === -1 ? trimmed : `${trimmed.slice(0, space)} ${REDACTED}`;
}

const redactArgs = (args: unknown) => (Array.isArray(args) ? args.map(() => REDACTED) : args);

/** [program, ...args] → [program, <redacted>…]. */
const redactArgv = (argv: unknown) => (Array.isArray(argv) ? argv.map((a, i) => (i === 0 ? a : REDACTED)) : argv);

const redactEnv = (env: unknown) => (Array.isArray(env) ? env.map((e) => (typeof e === "string" && e.includes("=") ? `${e.slice(0, e.indexOf("="))}=${REDACTED}` : REDACTED)) : env);

/** The engine's inspect document with env values, arguments and healthcheck commands withheld. */
export function redactInspect(inspect: Record<string, unknown>): Record<string, unknown> {
  const config = (inspect.Config ?? {}) as Record<string, unknown>;
  const health = config.Healthcheck as Record<string, unknown> | undefined;
  return {
    ...inspect,
    Args: redactArgs(inspect.Args),
    Config: {
      ...config,
      Env: redactEnv(config.Env),
      Cmd: redactArgv(config.Cmd),
      Entrypoint: redactArgv(config.Entrypoint),
      ...(health ? { Healthcheck: { ...health, Test: redactArgv(health.Test) } } : {}),
    },
  };
}

/** A row as the caller may see it: their role on its host, what they may open, and the command line if they may read it. */
export function containerRow(access: CallerAccess, row: ContainerRow) {
  const logs = access.may(row.hostId, "logs");
  return {
    ...row,
    command: logs ? row.command : redactCommandLine(row.command),
    access: access.roleOn(row.hostId),
    logs,
    terminal: access.may(row.hostId, "terminal"),
    /** True when env values and arguments were withheld from this caller. */
    redacted: !logs,
  };
}

export function containerDetail(access: CallerAccess, row: ContainerRow, inspect: Record<string, unknown> | null) {
  const container = containerRow(access, row);
  return { container, inspect: inspect && container.redacted ? redactInspect(inspect) : inspect };
}

interface TopResult {
  titles: string[];
  processes: string[][];
}

/** `docker top` with each process's command line cut to its program for callers without the logs permission. */
export function redactTop(access: CallerAccess, hostId: string, top: TopResult): TopResult & { redacted: boolean } {
  if (access.may(hostId, "logs")) return { ...top, redacted: false };
  const columns = new Set(top.titles.flatMap((t, i) => (t === "CMD" || t === "COMMAND" || t === "ARGS" ? [i] : [])));
  return { titles: top.titles, processes: top.processes.map((p) => p.map((cell, i) => (columns.has(i) ? redactCommandLine(cell) : cell))), redacted: true };
}
