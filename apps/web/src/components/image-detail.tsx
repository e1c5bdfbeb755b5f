"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";
import { bytes, shortId } from "@/lib/format";
import { BackLink, Card, CopyButton, ErrorNote, RelativeTime, Spinner, useNow } from "./ui";

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
        <span className="font-mono text-xs text-slate-500">
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
      <Card title="History (base first)">
        <table className="w-full text-left text-sm" data-testid="image-history">
          <thead className="border-b border-slate-200 text-xs text-slate-500">
            <tr>
              <th className="px-4 py-2 font-medium">Step</th>
              <th className="px-4 py-2 font-medium">Layer</th>
              <th className="px-4 py-2 text-right font-medium">Size</th>
              <th className="px-4 py-2 font-medium">Age</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {(() => {
              let layer = 0;
              return img.history.map((step, i) => {
                const diffId = step.makesLayer ? img.layers[layer++]?.diffId : undefined;
                return (
                  <tr key={i} className={step.makesLayer ? "" : "text-slate-500"}>
                    <td className="max-w-xl px-4 py-1.5 font-mono text-xs break-all">{instruction(step.createdBy) || step.comment || "—"}</td>
                    <td className="px-4 py-1.5 font-mono text-xs" title={diffId}>
                      {diffId ? shortId(diffId) : <span className="text-slate-500">no layer</span>}
                    </td>
                    <td className="px-4 py-1.5 text-right whitespace-nowrap">{step.makesLayer ? bytes(step.sizeBytes) : ""}</td>
                    <td className="px-4 py-1.5 whitespace-nowrap">
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
