"use client";

import type { ContainerSummary, PortBinding } from "@stevedore/protocol";
import { distinctPorts, publishedPortUrl } from "@/lib/ports";
import { ContainerStatus } from "./container-status";

/**
 * Published ports as links to http://<address>:<port>: the binding's own address when it is a
 * specific one, else the host's (its hostname, as its agent reports it), when known.
 */
export function PortsCell({ ports, hostAddress }: { ports: PortBinding[]; hostAddress: string | undefined }) {
  const list = distinctPorts(ports);
  if (!list.length) return <span className="text-slate-500">—</span>;
  return (
    <ul className="flex flex-wrap gap-x-2 gap-y-0.5 font-mono text-xs" aria-label="Ports">
      {list.slice(0, 4).map((p) => {
        const inner = `${p.privatePort}/${p.type}`;
        if (p.publicPort === undefined)
          return (
            <li key={inner} className="text-slate-500" title="exposed, not published on the host">
              {inner}
            </li>
          );
        const url = publishedPortUrl(p, hostAddress);
        const text = `${p.publicPort}→${inner}`;
        return (
          <li key={`${p.ip}:${p.publicPort}:${inner}`}>
            {url ? (
              <a href={url} target="_blank" rel="noreferrer" className="text-sky-700 hover:underline">
                {text}
              </a>
            ) : (
              text
            )}
          </li>
        );
      })}
      {list.length > 4 && <li className="text-slate-500">+{list.length - 4}</li>}
    </ul>
  );
}

/** The engine's status words with their tone; a non-zero exit code also says in words what it was. */
export function StatusCell({ c, now }: { c: ContainerSummary; now: number }) {
  const note =
    c.state === "exited" && c.exitCode === 137
      ? "killed (SIGKILL or out of memory)"
      : c.state === "exited" && c.exitCode === 143
        ? "stopped (SIGTERM)"
        : c.state === "exited" && c.exitCode !== 0
          ? "failed"
          : c.state === "restarting"
            ? "crash loop?"
            : null;
  return (
    <span className="inline-flex flex-col">
      <ContainerStatus c={c} now={now} />
      {note && <span className="pl-3.5 text-xs text-slate-600">{note}</span>}
    </span>
  );
}
