import { randomBytes } from "node:crypto";
import type Docker from "dockerode";
import { engineMessage } from "./engine";
import type { Logger } from "pino";

/** The environment variable that marks every process of one terminal session inside its container. */
export const SESSION_MARK_VAR = "STEVEDORE_TERMINAL_SESSION";

/** A fresh, unguessable mark for one exec session (`NAME=value`, for the exec's Env). */
export function newSessionMark(): { env: string; value: string } {
  const value = randomBytes(12).toString("hex");
  return { env: `${SESSION_MARK_VAR}=${value}`, value };
}

/**
 * Run inside the container: hang up (SIGHUP, what a closing terminal sends; interactive shells ignore
 * SIGTERM) every process whose environment carries the session's mark, the shell and the jobs it
 * started, then SIGKILL what is still there a second later. `$1` is the mark's value: it arrives as an
 * argument, so this script's own environment never matches. Needs only sh, grep and sleep.
 */
const REAP_SCRIPT = [
  'found=""',
  "for sig in HUP KILL; do",
  '  found=""',
  "  for d in /proc/[0-9]*; do",
  `    if grep -q "${SESSION_MARK_VAR}=$1" "$d/environ" 2>/dev/null; then kill -$sig "\${d#/proc/}" 2>/dev/null && found=1; fi`,
  "  done",
  '  [ -z "$found" ] && exit 0',
  "  sleep 1",
  "done",
].join("\n");

/**
 * Ends an exec'd process whose session ended from the control plane's side. Closing the hijacked
 * connection does not do it: the engine keeps the exec's TTY open and the shell runs on, invisible.
 * The engine has no "kill exec" call, and the exec's `Pid` (exec inspect) is a host PID that only an
 * agent sharing the host's PID namespace could signal — not one in a container, nor one under
 * systemd's ProtectProc. So the signal goes through the engine, like everything else the agent does: a
 * second, short exec in the same container, as root, that signals the processes carrying the session's
 * mark. Returns once the engine reports the exec stopped (or after `timeoutMs`).
 */
export async function reapExec(docker: Docker, containerId: string, exec: Docker.Exec, markValue: string, log: Logger, timeoutMs = 3_000): Promise<boolean> {
  const running = async () => (await exec.inspect()).Running;
  try {
    if (!(await running())) return true;
    const reaper = await docker.getContainer(containerId).exec({ Cmd: ["sh", "-c", REAP_SCRIPT, "stevedore-reaper", markValue], User: "0", AttachStdout: false, AttachStderr: false });
    await reaper.start({ Detach: true });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!(await running())) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    log.warn({ containerId, execId: exec.id }, "the exec'd process did not end after its session closed");
    return false;
  } catch (err) {
    // A container that stopped meanwhile took the process with it.
    log.warn({ containerId, execId: exec.id, err: engineMessage(err) }, "could not end the exec'd process of a closed terminal session");
    return false;
  }
}
