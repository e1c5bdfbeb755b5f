"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../server/trpc/root";
import { useTRPC } from "@/lib/trpc";
import { bytes, shortId } from "@/lib/format";
import { mayOperate } from "./container-actions";
import { ContainerStatus } from "./container-status";
import { Badge, BackLink, Card, CopyButton, ErrorNote, RelativeTime, Spinner, useNow } from "./ui";

type Holder = inferRouterOutputs<AppRouter>["images"]["holders"][number];

/** The run form, filled with the image and its host (the form reads `image` and `host`). */
export const runImageHref = (reference: string, hostId: string) => `/run?image=${encodeURIComponent(reference)}&host=${encodeURIComponent(hostId)}`;

/** An image's page; the id goes in the path as bare hex (a colon would be escaped). */
export const imageHref = (hostId: string, id: string) => `/images/${hostId}/${id.replace(/^sha256:/, "")}`;

/** The instruction as written in the Dockerfile, without the legacy builder's `/bin/sh -c #(nop)` wrapper. */
export function instruction(createdBy: string): string {
  return createdBy
    .replace(/^\/bin\/sh -c #\(nop\)\s+/, "")
    .replace(/^\/bin\/sh -c /, "RUN ")
    .trim();
}

/** An image's layers, base first, each with the step that made it, and its full history. */
export function ImageDetail({ hostId, id }: { hostId: string; id: string }) {
  const trpc = useTRPC();
  const now = useNow();
  const image = useQuery(trpc.images.inspect.queryOptions({ hostId, id }));
  if (image.isPending) return <Spinner label="Reading the image from its host…" />;
  if (image.error)
    return (
      <div className="space-y-3">
        <BackLink href="/images">Images</BackLink>
        <ErrorNote error={image.error} />
      </div>
    );
  const img = image.data;
  return (
    <div className="space-y-4">
      <BackLink href="/images">Images</BackLink>
      <div className="flex flex-wrap items-baseline gap-3">
        <h1 className="text-xl font-semibold">{img.repoTags[0] ?? shortId(img.id)}</h1>
        <span className="font-mono text-xs break-all text-slate-500">
          {img.id} <CopyButton text={img.id} label="Copy id" />
        </span>
      </div>
      <dl className="grid grid-cols-2 gap-x-6 gap-y-2 text-sm md:grid-cols-4">
        <div>
          <dt className="text-xs text-slate-500">Size</dt>
          <dd>{bytes(img.sizeBytes)}</dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500">Created</dt>
          <dd>
            <RelativeTime at={img.createdAt} now={now} />
          </dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500">Platform</dt>
          <dd>
            {img.os}/{img.architecture}
          </dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500">Layers</dt>
          <dd>{img.layers.length}</dd>
        </div>
        {img.repoTags.length > 1 && (
          <div className="col-span-2 md:col-span-4">
            <dt className="text-xs text-slate-500">Tags</dt>
            <dd>{img.repoTags.join(", ")}</dd>
          </div>
        )}
        {img.repoDigests.map((d) => (
          <div key={d} className="col-span-2 md:col-span-4">
            <dt className="text-xs text-slate-500">Digest</dt>
            <dd className="font-mono text-xs break-all">
              {d} <CopyButton text={d} label="Copy digest" />
            </dd>
          </div>
        ))}
      </dl>
      <ImageHolders id={img.id} now={now} />
      <Card title="History (base first)">
        {/* Under md each step is a card: the instruction on its own line, then layer, size and age. */}
        <table className="block w-full text-left text-sm md:table" data-testid="image-history">
          <thead className="hidden border-b border-slate-200 text-xs text-slate-500 md:table-header-group">
            <tr>
              <th className="px-4 py-2 font-medium">Step</th>
              <th className="px-4 py-2 font-medium">Layer</th>
              <th className="px-4 py-2 text-right font-medium">Size</th>
              <th className="px-4 py-2 font-medium">Age</th>
            </tr>
          </thead>
          <tbody className="block divide-y divide-slate-100 md:table-row-group">
            {(() => {
              let layer = 0;
              return img.history.map((step, i) => {
                const diffId = step.makesLayer ? img.layers[layer++]?.diffId : undefined;
                return (
                  <tr key={i} className={`flex flex-wrap gap-x-4 px-4 py-2 md:table-row md:p-0 ${step.makesLayer ? "" : "text-slate-500"}`}>
                    <td className="w-full font-mono text-xs break-all md:w-auto md:max-w-xl md:px-4 md:py-1.5">{instruction(step.createdBy) || step.comment || "—"}</td>
                    <td className="font-mono text-xs md:px-4 md:py-1.5" title={diffId}>
                      {diffId ? shortId(diffId) : <span className="text-slate-500">no layer</span>}
                    </td>
                    <td className="whitespace-nowrap md:px-4 md:py-1.5 md:text-right">{step.makesLayer ? bytes(step.sizeBytes) : ""}</td>
                    <td className="whitespace-nowrap md:px-4 md:py-1.5">
                      <RelativeTime at={step.createdAt} now={now} />
                    </td>
                  </tr>
                );
              });
            })()}
          </tbody>
        </table>
      </Card>
    </div>
  );
}

/** Each host that has the image: its tags there, the containers using it, its layer tree, and "Run this image" there. */
function ImageHolders({ id, now }: { id: string; now: number }) {
  const trpc = useTRPC();
  const holders = useQuery(trpc.images.holders.queryOptions({ id }));
  return (
    <Card title="On hosts">
      <ErrorNote error={holders.error} />
      {holders.isPending && (
        <div className="p-4">
          <Spinner label="Finding the hosts that have it…" />
        </div>
      )}
      <ul className="divide-y divide-slate-100" aria-label="Hosts with this image">
        {holders.data?.map((h) => (
          <HolderRow key={h.hostId} h={h} now={now} />
        ))}
      </ul>
    </Card>
  );
}

function HolderRow({ h, now }: { h: Holder; now: number }) {
  const reference = h.repoTags[0] ?? h.repoDigests[0] ?? null;
  return (
    <li className="space-y-2 px-4 py-3 text-sm" data-testid="image-holder" data-host={h.hostName}>
      <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
        <Link href={`/hosts/${h.hostId}`} className="font-medium text-sky-700 hover:underline">
          {h.hostName}
        </Link>
        {!h.live && <Badge tone="amber">offline</Badge>}
        <span className="text-slate-600">{h.repoTags.join(", ") || "untagged"}</span>
        <span className="ml-auto flex flex-wrap gap-2">
          <Link href={`/images/${h.hostId}/tree`} className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-50">
            Layer tree of {h.hostName}
          </Link>
          {mayOperate(h.access) && h.live && reference && (
            <Link href={runImageHref(reference, h.hostId)} className="rounded-md bg-sky-700 px-3 py-1 font-medium text-white hover:bg-sky-800">
              Run this image on {h.hostName}
            </Link>
          )}
        </span>
      </div>
      {h.containerCount === 0 ? (
        <p className="text-slate-500">No container uses it here.</p>
      ) : (
        <div>
          <p className="text-slate-600">
            Used by {h.containerCount} container{h.containerCount === 1 ? "" : "s"}
            {h.containers.length < h.containerCount ? ` (the first ${h.containers.length} by name)` : ""}:
          </p>
          <ul className="mt-1 flex flex-wrap gap-x-4 gap-y-1" aria-label={`Containers using it on ${h.hostName}`}>
            {h.containers.map((c) => (
              <li key={c.id} className="flex items-center gap-2">
                <Link href={`/containers/${h.hostId}/${c.id}`} className="font-medium text-sky-700 hover:underline">
                  {c.name}
                </Link>
                <ContainerStatus c={c} now={now} />
              </li>
            ))}
          </ul>
        </div>
      )}
    </li>
  );
}
