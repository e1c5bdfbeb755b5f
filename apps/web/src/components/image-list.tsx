"use client";

import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../server/trpc/root";
import { useTRPC } from "@/lib/trpc";
import { bytes, shortId } from "@/lib/format";
import { mayOperate, useCanOperateSomewhere } from "./container-actions";
import { imageHref } from "./image-detail";
import { HostFilter } from "./host-filter";
import { ResourceTabs } from "./resources/resource-tabs";
import { ImagePruneDialog } from "./image-prune-dialog";
import { ImagePullDialog } from "./image-pull-dialog";
import { ImageRemoveDialog, ImageTagDialog } from "./image-dialogs";
import { Badge, Button, Card, CopyButton, ErrorNote, Input, RelativeTime, Spinner, useNow } from "./ui";

/** A cell under md: its column's name before it, as a card's line. */
const CELL = "py-0.5 before:mr-1 before:text-xs before:text-slate-500 before:content-[attr(data-label)] md:px-4 md:py-2 md:before:content-none";

export type ImageRow = inferRouterOutputs<AppRouter>["images"]["list"]["items"][number];

/** Every host's images in one list, filtered on the server; per-host prune and layer tree. */
export function ImageList() {
  const trpc = useTRPC();
  const now = useNow();
  const [q, setQ] = useState("");
  // A link from a host page opens its images.
  const initialHost = useSearchParams().get("host") ?? "";
  const [hostId, setHostId] = useState(initialHost);
  const [dangling, setDangling] = useState(false);
  const [unused, setUnused] = useState(false);
  const images = useQuery({
    ...trpc.images.list.queryOptions({ q, hostId: hostId || undefined, dangling, unused }),
    // Live without polling: the engine's image events come as fleet changes (useFleetChanges).
    placeholderData: keepPreviousData,
  });
  const [tagging, setTagging] = useState<ImageRow | null>(null);
  const [removing, setRemoving] = useState<ImageRow | null>(null);
  const [pruning, setPruning] = useState<{ id: string; name: string } | null>(null);
  const [pulling, setPulling] = useState(false);
  const mayPull = useCanOperateSomewhere();
  // The housekeeping list: the chosen host, or the first hosts by name (the filter finds any other).
  const hosts = useQuery({ ...trpc.hosts.search.queryOptions({ ids: hostId ? [hostId] : undefined, limit: HOUSEKEEPING_HOSTS }), placeholderData: keepPreviousData });
  const host = hostId ? hosts.data?.items.find((h) => h.id === hostId) : undefined;
  // Unique sizes cost the engine a disk walk: read once per chosen host, not on every refresh.
  const usage = useQuery({ ...trpc.images.usage.queryOptions({ hostId }), enabled: host?.status === "online", staleTime: 30_000 });
  const unique = new Map(usage.data?.images.map((i) => [i.id, i.uniqueSizeBytes]));

  return (
    <div className="space-y-4">
      <ResourceTabs />
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-xl font-semibold">Images</h1>
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <Input type="search" aria-label="Search images" placeholder="Tag, digest or id…" value={q} onChange={(e) => setQ(e.target.value)} className="w-60" />
          <HostFilter value={hostId} onChange={setHostId} />
          <label className="flex items-center gap-1.5">
            <input type="checkbox" checked={dangling} onChange={(e) => setDangling(e.target.checked)} /> Dangling
          </label>
          <label className="flex items-center gap-1.5">
            <input type="checkbox" checked={unused} onChange={(e) => setUnused(e.target.checked)} /> Unused
          </label>
          {mayPull && (
            <Button variant="primary" onClick={() => setPulling(true)}>
              Pull image
            </Button>
          )}
        </div>
      </div>
      <HostHousekeeping hosts={hosts.data?.items ?? []} total={hosts.data?.total ?? 0} onPrune={setPruning} />
      <ErrorNote error={images.error} />
      <Card>
        {images.isPending ? (
          <div className="p-4">
            <Spinner label="Loading images…" />
          </div>
        ) : (
          // Under md the rows are cards (each cell on its own line, labelled), so nothing overflows at 390 px.
          <table className="block w-full text-left text-sm md:table">
            <thead className="hidden border-b border-slate-200 text-xs text-slate-500 md:table-header-group">
              <tr>
                <th className="px-4 py-2 font-medium">Repository:tag</th>
                <th className="px-4 py-2 font-medium">Image id</th>
                <th className="px-4 py-2 font-medium">Host</th>
                <th className="px-4 py-2 font-medium">Created</th>
                <th className="px-4 py-2 text-right font-medium">Size</th>
                <th className="px-4 py-2 font-medium">Used by</th>
                <th className="px-4 py-2" />
              </tr>
            </thead>
            <tbody className="block divide-y divide-slate-100 md:table-row-group">
              {images.data?.items.map((img) => (
                <tr key={`${img.hostId}/${img.id}`} data-testid="image-row" className="grid grid-cols-2 gap-x-3 px-4 py-3 align-top md:table-row md:p-0">
                  <td className="col-span-2 min-w-0 md:px-4 md:py-2">
                    <Link href={imageHref(img.hostId, img.id)} className="font-medium text-sky-700 hover:underline">
                      {img.repoTags[0] ?? "<none>"}
                    </Link>
                    {img.dangling && (
                      <span className="ml-2">
                        <Badge tone="amber" title="No tag points at this image any more">
                          dangling
                        </Badge>
                      </span>
                    )}
                    {img.repoTags.slice(1).map((t) => (
                      <div key={t} className="text-xs text-slate-500">
                        {t}
                      </div>
                    ))}
                    {img.repoDigests[0] && (
                      <div className="truncate font-mono text-xs text-slate-500" title={img.repoDigests[0]}>
                        {img.repoDigests[0].replace(/^.*@/, "")}
                      </div>
                    )}
                  </td>
                  <td className={`${CELL} font-mono text-xs`} data-label="Id">
                    {shortId(img.id)} <CopyButton text={img.id} label="Copy id" />
                  </td>
                  <td className={CELL} data-label="Host">
                    {img.hostName}
                  </td>
                  <td className={`${CELL} whitespace-nowrap`} data-label="Created">
                    <RelativeTime at={img.createdAt} now={now} />
                  </td>
                  <td className={`${CELL} whitespace-nowrap md:text-right`} data-label="Size">
                    {bytes(img.sizeBytes)}
                    {unique.has(img.id) && (
                      <div className="text-xs text-slate-500" title="In layers no other image on this host uses: what removing it frees">
                        {bytes(unique.get(img.id)!)} unique
                      </div>
                    )}
                  </td>
                  <td className={`${CELL} whitespace-nowrap`} data-label="Used by">
                    {img.containers > 0 ? (
                      <Link href={`/containers?host=${img.hostId}&q=${encodeURIComponent(img.repoTags[0] ?? shortId(img.id))}`} className="text-sky-700 hover:underline">
                        {img.containers} container{img.containers === 1 ? "" : "s"}
                      </Link>
                    ) : (
                      <span className="text-slate-500">unused</span>
                    )}
                  </td>
                  <td className="col-span-2 pt-1 whitespace-nowrap md:px-4 md:py-2 md:text-right">
                    {mayOperate(img.access) && img.live && (
                      <span className="inline-flex flex-wrap gap-1">
                        <Button variant="ghost" className="py-0.5 text-xs" onClick={() => setTagging(img)} aria-label={`Tag ${img.repoTags[0] ?? shortId(img.id)}`}>
                          Tag
                        </Button>
                        <Button variant="ghost" className="py-0.5 text-xs text-red-700" onClick={() => setRemoving(img)} aria-label={`Remove ${img.repoTags[0] ?? shortId(img.id)}`}>
                          Remove
                        </Button>
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {images.data && (
          <p className="border-t border-slate-100 px-4 py-2 text-xs text-slate-500">
            {images.data.items.length < images.data.total ? `Showing the newest ${images.data.items.length} of ${images.data.total} images; narrow the search to see others.` : `${images.data.total} image${images.data.total === 1 ? "" : "s"}`}
          </p>
        )}
      </Card>
      <ImageTagDialog key={`t${tagging?.id}`} image={tagging} onClose={() => setTagging(null)} />
      <ImageRemoveDialog key={`r${removing?.id}`} image={removing} onClose={() => setRemoving(null)} />
      <ImagePruneDialog key={`p${pruning?.id}`} host={pruning} onClose={() => setPruning(null)} />
      {pulling && <ImagePullDialog open onClose={() => setPulling(false)} />}
    </div>
  );
}


type HostRow = inferRouterOutputs<AppRouter>["hosts"]["search"]["items"][number];
const HOUSEKEEPING_HOSTS = 20;

/** Each host's layer tree and prune, without choosing the host first (the host filter narrows it to one; past the first 20 it finds the rest). */
function HostHousekeeping({ hosts, total, onPrune }: { hosts: HostRow[]; total: number; onPrune: (h: { id: string; name: string }) => void }) {
  if (hosts.length === 0) return null;
  return (
    <details className="rounded-lg border border-slate-200 bg-white text-sm" open={hosts.length <= 6} data-testid="image-hosts">
      <summary className="cursor-pointer px-4 py-2 font-medium">
        Per host: layer tree and prune ({total > hosts.length ? `first ${hosts.length} of ${total.toLocaleString()}: choose a host above for another` : hosts.length})
      </summary>
      <ul className="max-h-72 divide-y divide-slate-100 overflow-y-auto border-t border-slate-100">
        {hosts.map((h) => (
          <li key={h.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-4 py-2" data-testid="image-host" data-host={h.name}>
            <Link href={`/hosts/${h.id}`} className="font-medium text-sky-700 hover:underline">
              {h.name}
            </Link>
            <span className="text-slate-600">
              {h.images} image{h.images === 1 ? "" : "s"}
            </span>
            {h.status !== "online" && <Badge tone="amber">{h.status === "offline" ? "offline" : "engine down"}</Badge>}
            <span className="ml-auto flex flex-wrap gap-2">
              <Link href={`/images/${h.id}/tree`} className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-50" aria-label={`Layer tree of ${h.name}`}>
                Layer tree
              </Link>
              {mayOperate(h.access) && h.status === "online" && (
                <Button className="py-1" onClick={() => onPrune({ id: h.id, name: h.name })} aria-label={`Prune images on ${h.name}`}>
                  Prune…
                </Button>
              )}
            </span>
          </li>
        ))}
      </ul>
    </details>
  );
}
