"use client";

import Link from "next/link";
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../server/trpc/root";
import { useTRPC } from "@/lib/trpc";
import { bytes, shortId } from "@/lib/format";
import { imageHref, instruction } from "./image-detail";
import { BackLink, Badge, Card, ErrorNote, Input, Spinner } from "./ui";

type Tree = inferRouterOutputs<AppRouter>["images"]["layerTree"];
type Node = Tree["roots"][number];

/** Whether a node, or anything under it, names an image matching the filter. */
function matches(node: Node, f: string): boolean {
  return node.images.some((i) => i.repoTags.some((t) => t.toLowerCase().includes(f)) || i.id.includes(f)) || node.children.some((c) => matches(c, f));
}

function LayerNode({ node, hostId, filter }: { node: Node; hostId: string; filter: string }) {
  const children = filter ? node.children.filter((c) => matches(c, filter)) : node.children;
  return (
    <li className="relative">
      <div className="flex flex-wrap items-center gap-2 py-1" data-testid="layer-node" data-diff-id={node.diffId}>
        <span className="font-mono text-xs text-slate-500" title={node.diffId}>
          {shortId(node.diffId)}
        </span>
        <span className="min-w-0 max-w-xl truncate font-mono text-xs" title={node.createdBy ?? undefined}>
          {node.createdBy ? instruction(node.createdBy) : "(step unknown)"}
        </span>
        {node.sizeBytes !== null && <span className="text-xs text-slate-500">{bytes(node.sizeBytes)}</span>}
        {node.usedBy > 1 && <Badge tone="sky">shared by {node.usedBy} images</Badge>}
        {node.images.map((img) => (
          <Link key={img.id} href={imageHref(hostId, img.id)} className="rounded bg-slate-900 px-1.5 py-0.5 text-xs text-white hover:bg-slate-700">
            {img.repoTags[0] ?? `${shortId(img.id)} (untagged)`}
          </Link>
        ))}
      </div>
      {children.length > 0 && (
        <ul className="ml-3 border-l border-slate-200 pl-4">
          {children.map((c) => (
            <LayerNode key={c.diffId} node={c} hostId={hostId} filter={filter} />
          ))}
        </ul>
      )}
    </li>
  );
}

/** A host's images as a tree of layers: what builds on what, and the disk the sharing saves. */
export function LayerTree({ hostId }: { hostId: string }) {
  const trpc = useTRPC();
  const tree = useQuery(trpc.images.layerTree.queryOptions({ hostId }));
  const host = useQuery(trpc.hosts.get.queryOptions({ hostId }));
  const [filter, setFilter] = useState("");
  const f = filter.trim().toLowerCase();
  const roots = tree.data ? (f ? tree.data.roots.filter((r) => matches(r, f)) : tree.data.roots) : [];
  return (
    <div className="space-y-4">
      <BackLink href="/images">Images</BackLink>
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-xl font-semibold">Layer tree{host.data ? ` of ${host.data.name}` : ""}</h1>
        <Input type="search" aria-label="Filter images" placeholder="Show the path to an image…" value={filter} onChange={(e) => setFilter(e.target.value)} className="w-64" />
      </div>
      <ErrorNote error={tree.error} />
      {tree.isPending && <Spinner label="Reading every image's layers…" />}
      {tree.data && (
        <>
          <p className="text-sm text-slate-700" data-testid="layer-savings">
            {tree.data.images.length} image{tree.data.images.length === 1 ? "" : "s"} would take {bytes(tree.data.totalImageBytes)} stored apart; their layers take {bytes(tree.data.layersSizeBytes)} on disk. Sharing saves{" "}
            <strong>{bytes(tree.data.savedBytes)}</strong>.
          </p>
          <Card>
            <ul className="p-4">
              {roots.map((r) => (
                <LayerNode key={r.diffId} node={r} hostId={hostId} filter={f} />
              ))}
            </ul>
          </Card>
        </>
      )}
    </div>
  );
}
