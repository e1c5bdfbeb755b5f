"use client";

import Link from "next/link";
import type { ReactNode } from "react";
import type { RouterOutputs } from "@/lib/trpc";
import { bytes, shortId } from "@/lib/format";
import { distinctPorts, portText, publishedPortUrl } from "@/lib/ports";
import { imageHref } from "../image-detail";
import { Card, RelativeTime } from "../ui";

/** The parts of `docker inspect` a person reads first; the whole document is under Inspect. */
export interface InspectSummary {
  Config?: { Env?: string[]; Tty?: boolean; OpenStdin?: boolean; WorkingDir?: string; User?: string; Hostname?: string; Entrypoint?: string[] | null };
  HostConfig?: {
    Memory?: number;
    MemorySwap?: number;
    CpuShares?: number;
    NanoCpus?: number;
    PidsLimit?: number | null;
    RestartPolicy?: { Name?: string; MaximumRetryCount?: number };
    Init?: boolean | null;
    NetworkMode?: string;
    ReadonlyRootfs?: boolean;
  };
  Mounts?: { Type: string; Source: string; Destination: string; RW: boolean; Name?: string }[];
  NetworkSettings?: { Networks?: Record<string, { IPAddress?: string; Aliases?: string[] | null; Gateway?: string }> };
  RestartCount?: number;
}

type Container = RouterOutputs["containers"]["get"]["container"];

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid gap-1 px-4 py-2 sm:grid-cols-[9rem_1fr] sm:gap-3">
      <dt className="text-sm text-slate-500">{label}</dt>
      <dd className="min-w-0 break-words text-sm">{children}</dd>
    </div>
  );
}

const None = () => <span className="text-slate-500">none</span>;

/** The first tab: what the container is, how it is limited, and how it is reached. */
export function ContainerOverview({ c, inspect, now }: { c: Container; inspect: InspectSummary; now: number }) {
  const hc = inspect.HostConfig ?? {};
  const networks = Object.entries(inspect.NetworkSettings?.Networks ?? {});
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <Card title="Summary">
        <dl className="divide-y divide-slate-100">
          <Row label="Image">
            <Link href={imageHref(c.hostId, c.imageId)} className="text-sky-800 hover:underline">
              {c.image}
            </Link>{" "}
            <span className="font-mono text-xs text-slate-500">{shortId(c.imageId)}</span>
          </Row>
          <Row label="Command">
            <code className="font-mono text-xs">{c.command}</code>
          </Row>
          <Row label="Created">
            <RelativeTime at={c.createdAt} now={now} />
          </Row>
          <Row label="State">
            {c.state}
            {c.state === "exited" && ` with code ${c.exitCode}`}
            {c.health && ` · ${c.health}`}
            {inspect.RestartCount ? ` · restarted ${inspect.RestartCount}×` : ""}
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
            {inspect.Config?.Tty ? " · tty" : ""}
            {inspect.Config?.OpenStdin ? " · interactive" : ""}
            {hc.ReadonlyRootfs ? " · read-only root" : ""}
          </Row>
          {(inspect.Config?.User || inspect.Config?.WorkingDir) && (
            <Row label="User, directory">
              {inspect.Config.User || "image default"} · {inspect.Config.WorkingDir || "/"}
            </Row>
          )}
          <Row label="Environment">
            {!inspect.Config?.Env?.length ? (
              <None />
            ) : (
              inspect.Config.Env.map((e) => (
                <div key={e} className="break-all font-mono text-xs">
                  {e}
                </div>
              ))
            )}
            {c.redacted && (
              <p className="mt-1 text-xs text-slate-600" data-testid="secrets-redacted">
                Values and command arguments are hidden: they often hold secrets, and need the logs permission on {c.hostName}.
              </p>
            )}
          </Row>
        </dl>
      </Card>

      <div className="space-y-4">
        <Card title="Ports">
          <ul className="divide-y divide-slate-100" data-testid="container-ports">
            {c.ports.length === 0 && (
              <li className="px-4 py-2 text-sm">
                <None />
              </li>
            )}
            {distinctPorts(c.ports).map((p) => {
              const url = publishedPortUrl(p, c.hostName);
              return (
                <li key={portText(p)} className="flex flex-wrap items-center gap-2 px-4 py-2 font-mono text-xs">
                  {portText(p)}
                  {url && (
                    <a href={url} target="_blank" rel="noreferrer noopener" className="font-sans text-sm text-sky-800 hover:underline">
                      open {url.replace("http://", "")}
                    </a>
                  )}
                </li>
              );
            })}
          </ul>
        </Card>
        <Card title="Networks">
          <dl className="divide-y divide-slate-100" data-testid="container-networks">
            {networks.length === 0 && (
              <Row label="Mode">{hc.NetworkMode || "none"}</Row>
            )}
            {networks.map(([name, n]) => (
              <Row key={name} label={name}>
                <span className="font-mono text-xs">{n.IPAddress || "no address"}</span>
                {n.Aliases?.length ? <span className="text-xs text-slate-600"> · aliases {n.Aliases.join(", ")}</span> : null}
              </Row>
            ))}
          </dl>
        </Card>
        <Card title="Mounts">
          <ul className="divide-y divide-slate-100">
            {!inspect.Mounts?.length && (
              <li className="px-4 py-2 text-sm">
                <None />
              </li>
            )}
            {inspect.Mounts?.map((m) => (
              <li key={m.Destination} className="break-all px-4 py-2 font-mono text-xs">
                {m.Type} {m.Name ?? m.Source} → {m.Destination} {m.RW ? "" : "(read-only)"}
              </li>
            ))}
          </ul>
        </Card>
        <Card title="Labels">
          <ul className="divide-y divide-slate-100">
            {Object.keys(c.labels).length === 0 && (
              <li className="px-4 py-2 text-sm">
                <None />
              </li>
            )}
            {Object.entries(c.labels).map(([k, v]) => (
              <li key={k} className="break-all px-4 py-1.5 font-mono text-xs">
                <span className="text-slate-600">{k}</span>={v}
              </li>
            ))}
          </ul>
        </Card>
      </div>
    </div>
  );
}
