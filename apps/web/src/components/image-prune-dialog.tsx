"use client";

import { useState } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";
import { bytes, shortId } from "@/lib/format";
import { useInvalidate } from "@/lib/invalidate";
import { Button, Dialog, ErrorNote, RelativeTime, Spinner, toast, useNow } from "./ui";

/** `docker image prune [--all]` on one host, after a preview of what goes and the space it frees. */
export function ImagePruneDialog({ host, onClose }: { host: { id: string; name: string } | null; onClose: () => void }) {
  const trpc = useTRPC();
  const now = useNow();
  const invalidate = useInvalidate("images");
  const [all, setAll] = useState(false);
  const preview = useQuery({ ...trpc.images.prunePreview.queryOptions({ hostId: host?.id ?? "", all }), enabled: host !== null });
  const prune = useMutation(
    trpc.images.prune.mutationOptions({
      onSuccess: (r) => {
        toast({ tone: "ok", title: `Pruned ${host?.name ?? "the host"}: ${r.deleted.length} image${r.deleted.length === 1 ? "" : "s"} removed, ${bytes(r.reclaimedBytes)} reclaimed` });
        void invalidate();
      },
    }),
  );
  return (
    <Dialog open={host !== null} onClose={onClose} title={host ? `Prune images on ${host.name}` : "Prune images"}>
      <div className="space-y-3 text-sm">
        <fieldset className="flex gap-4">
          <legend className="sr-only">What to prune</legend>
          <label className="flex items-center gap-1.5">
            <input type="radio" name="prune-scope" checked={!all} onChange={() => setAll(false)} /> Dangling images (no tag)
          </label>
          <label className="flex items-center gap-1.5">
            <input type="radio" name="prune-scope" checked={all} onChange={() => setAll(true)} /> Every image no container uses
          </label>
        </fieldset>
        {prune.data ? (
          <p role="status" data-testid="prune-result">
            Removed {prune.data.deleted.length} image{prune.data.deleted.length === 1 ? "" : "s"}, {bytes(prune.data.reclaimedBytes)} reclaimed.
          </p>
        ) : preview.isPending ? (
          <Spinner label="Working out what would go…" />
        ) : preview.data ? (
          <>
            <p data-testid="prune-preview">
              {preview.data.images.length === 0 ? "Nothing to prune." : `${preview.data.images.length} image${preview.data.images.length === 1 ? "" : "s"} would go, freeing at least ${bytes(preview.data.freedBytes)}.`}
            </p>
            {preview.data.images.length > 0 && (
              <ul className="max-h-64 divide-y divide-slate-100 overflow-auto rounded-md border border-slate-200">
                {preview.data.images.map((img) => (
                  <li key={img.id} className="flex items-center gap-3 px-3 py-1.5">
                    <span className="font-mono text-xs">{shortId(img.id)}</span>
                    <span className="min-w-0 flex-1 truncate">{img.repoTags.join(", ") || "<none>"}</span>
                    <span className="text-xs text-slate-500">
                      <RelativeTime at={img.createdAt} now={now} />
                    </span>
                    <span className="w-20 text-right text-xs">{bytes(img.sizeBytes)}</span>
                  </li>
                ))}
              </ul>
            )}
          </>
        ) : null}
        <ErrorNote error={preview.error ?? prune.error} />
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>{prune.data ? "Close" : "Cancel"}</Button>
          {!prune.data && (
            <Button variant="danger" disabled={prune.isPending || !preview.data?.images.length} onClick={() => host && prune.mutate({ hostId: host.id, all })}>
              {prune.isPending ? "Pruning…" : "Prune"}
            </Button>
          )}
        </div>
      </div>
    </Dialog>
  );
}
