"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import type { ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import { REQUEST_ID_LABEL, STARTED_BY_LABEL } from "@stevedore/protocol";
import { useTRPC } from "@/lib/trpc";
import { bytes, shortId } from "@/lib/format";
import { ContainerActions, mayOperate } from "./container-actions";
import { ContainerRecreateActions } from "./container-recreate-actions";
import { ContainerStatus } from "./container-status";
import { ContainerDiff } from "./container-diff";
import { ContainerLogs } from "./container-logs";
import { ContainerStats } from "./container-stats";
import { ContainerTerminal } from "./container-terminal";
import { BackLink, Card, ErrorNote, RelativeTime, Spinner, useNow } from "./ui";

/** The parts of `docker inspect` a person reads first; the whole document is below, collapsed. */
interface Inspect {
  Config?: { Env?: string[]; Tty?: boolean; OpenStdin?: boolean; WorkingDir?: string; User?: string };
  HostConfig?: {
    Memory?: number;
    MemorySwap?: number;
    CpuShares?: number;
    NanoCpus?: number;
    PidsLimit?: number | null;
    RestartPolicy?: { Name?: string; MaximumRetryCount?: number };
    Init?: boolean | null;
  };
  Mounts?: { Type: string; Source: string; Destination: string; RW: boolean; Name?: string }[];
  RestartCount?: number;
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-[10rem_1fr] gap-3 px-4 py-2">
      <dt className="text-sm text-slate-500">{label}</dt>
      <dd className="min-w-0 break-words text-sm">{children}</dd>
    </div>
  );
}

export function ContainerDetail({ hostId, id }: { hostId: string; id: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  // Set by the run form for an interactive run: attach as soon as the page is up.
  const autoAttach = useSearchParams().get("terminal") === "attach";
  const now = useNow();
  const detail = useQuery(trpc.containers.get.queryOptions({ hostId, id }));
  const running = detail.data?.container.state === "running" || detail.data?.container.state === "paused";
  const top = useQuery({
    ...trpc.containers.top.queryOptions({ hostId, id }),
    enabled: running && detail.data?.container.live === true,
    refetchInterval: 3_000,
  });

  if (detail.isPending) return <Spinner label="Loading container…" />;
  if (detail.error) {
    return (
      <div className="space-y-3">
        <BackLink href="/containers">Containers</BackLink>
        <ErrorNote error={detail.error} />
      </div>
    );
  }
  const { container: c, inspect } = detail.data;
  const startedBy = c.labels[STARTED_BY_LABEL];
  const requestId = c.labels[REQUEST_ID_LABEL];
  const i = (inspect ?? {}) as Inspect;
  const hc = i.HostConfig ?? {};

  return (
    <div className="space-y-4">
      <div>
        <BackLink href="/containers">Containers</BackLink>
        <div className="mt-1 flex flex-wrap items-center gap-3">
          <h1 className="text-xl font-semibold">{c.name}</h1>
          <span className="font-mono text-xs text-slate-500" title={c.id}>
            {shortId(c.id)}
          </span>
          <ContainerStatus c={c} now={now} />
          <span className="text-sm text-slate-500">
            on{" "}
            <Link href={`/hosts#${c.hostId}`} className="text-sky-700 hover:underline">
              {c.hostName}
            </Link>
          </span>
        </div>
        {startedBy && (
          <p className="mt-1 text-sm text-slate-600">
            Started by <span className="font-medium">{startedBy}</span> through Stevedore, <RelativeTime at={c.createdAt} now={now} />
            {requestId && (
              <>
                {" · "}
                <Link href={`/audit?requestId=${encodeURIComponent(requestId)}`} className="text-sky-700 hover:underline">
                  audit entry
                </Link>
              </>
            )}
          </p>
        )}
        {!c.live && <p className="mt-2 text-sm text-amber-800">The host is not reachable: this is the last state its agent reported.</p>}
      </div>

      {mayOperate(c.access) && c.live && (
        <Card>
          <div className="p-3">
            <ContainerActions
              targets={[{ hostId: c.hostId, id: c.id, name: c.name, state: c.state }]}
              onDone={(op, results) => {
                if (op.action === "remove" && results[0]?.ok) router.push("/containers");
              }}
            />
          </div>
          <div className="border-t border-slate-100 p-3">
            <ContainerRecreateActions c={c} update={detail.data.update} />
          </div>
        </Card>
      )}

      {c.live && (!c.logs || !c.terminal) && <MissingPermissionNote logs={c.logs} hostName={c.hostName} />}
      {c.logs && c.live && <ContainerLogs hostId={c.hostId} id={c.id} name={c.name} hostName={c.hostName} />}
      {c.terminal && c.live && <ContainerTerminal hostId={c.hostId} id={c.id} running={c.state === "running"} autoAttach={autoAttach} />}
      {c.live && <ContainerStats hostId={c.hostId} id={c.id} running={c.state === "running"} memoryLimited={(i.HostConfig?.Memory ?? 0) > 0} />}

      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="Summary">
          <dl className="divide-y divide-slate-100">
            <Row label="Image">
              {c.image} <span className="font-mono text-xs text-slate-500">{shortId(c.imageId)}</span>
            </Row>
            <Row label="Command">
              <code className="font-mono text-xs">{c.command}</code>
            </Row>
            <Row label="Environment">
              {!i.Config?.Env?.length
                ? "none"
                : i.Config.Env.map((e) => (
                    <div key={e} className="break-all font-mono text-xs">
                      {e}
                    </div>
                  ))}
              {c.redacted && (
                <p className="mt-1 text-xs text-slate-600" data-testid="secrets-redacted">
                  Values and command arguments are hidden: they often hold secrets, and need the logs permission on {c.hostName}.
                </p>
              )}
            </Row>
            <Row label="Created">
              <RelativeTime at={c.createdAt} now={now} />
            </Row>
            <Row label="State">
              {c.state}
              {c.state === "exited" && ` with code ${c.exitCode}`}
              {i.RestartCount ? ` · restarted ${i.RestartCount}×` : ""}
            </Row>
            <Row label="Ports">
              {c.ports.length === 0
                ? "none"
                : c.ports.map((p) => (
                    <div key={`${p.ip}:${p.publicPort}:${p.privatePort}/${p.type}`} className="font-mono text-xs">
                      {p.publicPort ? `${p.ip ?? "0.0.0.0"}:${p.publicPort} → ` : ""}
                      {p.privatePort}/{p.type}
                    </div>
                  ))}
            </Row>
            <Row label="Mounts">
              {!i.Mounts?.length
                ? "none"
                : i.Mounts.map((m) => (
                    <div key={m.Destination} className="font-mono text-xs">
                      {m.Type} {m.Name ?? m.Source} → {m.Destination} {m.RW ? "" : "(ro)"}
                    </div>
                  ))}
            </Row>
            <Row label="Limits">
              memory {hc.Memory ? bytes(hc.Memory) : "unlimited"}
              {hc.MemorySwap && hc.MemorySwap > 0 ? ` · memory+swap ${bytes(hc.MemorySwap)}` : ""} · CPU shares {hc.CpuShares || "1024 (default)"}
              {hc.NanoCpus ? ` · ${hc.NanoCpus / 1e9} CPUs` : ""}
              {hc.PidsLimit ? ` · pids ${hc.PidsLimit}` : ""}
            </Row>
            <Row label="Restart policy">
              {hc.RestartPolicy?.Name || "no"}
              {hc.Init ? " · init" : ""}
              {i.Config?.Tty ? " · tty" : ""}
              {i.Config?.OpenStdin ? " · interactive" : ""}
            </Row>
            <Row label="Labels">
              {Object.keys(c.labels).length === 0
                ? "none"
                : Object.entries(c.labels).map(([k, v]) => (
                    <div key={k} className="font-mono text-xs">
                      {k}={v}
                    </div>
                  ))}
            </Row>
          </dl>
        </Card>

        <Card title="Processes" actions={top.isFetching ? <Spinner label="refreshing" /> : null}>
          {!running && <p className="p-4 text-sm text-slate-500">The container is not running.</p>}
          <ErrorNote error={top.error} />
          {running && top.data?.redacted && <p className="px-4 pt-3 text-xs text-slate-600">Command lines show the program only: their arguments need the logs permission.</p>}
          {running && top.data && (
            <div className="overflow-x-auto">
              <table className="w-full text-left font-mono text-xs" data-testid="top-table">
                <thead className="border-b border-slate-200 text-slate-500">
                  <tr>
                    {top.data.titles.map((t) => (
                      <th key={t} className="px-3 py-1.5 font-medium">
                        {t}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {top.data.processes.map((p, n) => (
                    <tr key={n}>
                      {p.map((v, k) => (
                        <td key={k} className="whitespace-nowrap px-3 py-1">
                          {v}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Card>
      </div>

      {c.live && <ContainerDiff hostId={c.hostId} id={c.id} />}

      {inspect && (
        <Card>
          <details>
            <summary className="cursor-pointer px-4 py-2.5 text-sm font-semibold">Inspect document</summary>
            <pre className="max-h-[32rem] overflow-auto border-t border-slate-200 p-4 font-mono text-xs">{JSON.stringify(inspect, null, 2)}</pre>
          </details>
        </Card>
      )}
    </div>
  );
}

/** Panels this user may not see say so, with what they need and who gives it, instead of just not being there. */
function MissingPermissionNote({ logs, hostName }: { logs: boolean; hostName: string }) {
  return (
    <p className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-700" data-testid="missing-permission">
      {logs
        ? `The terminal needs the terminal permission on ${hostName}; an admin can grant it per host group.`
        : `Logs and the terminal are not shown: logs need the logs permission on ${hostName} (the terminal, the terminal permission); an admin can grant them per host group.`}
    </p>
  );
}
