"use client";

import Link from "next/link";
import { useState } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { mutableTagWarning } from "@stevedore/protocol";
import { useTRPC } from "@/lib/trpc";
import { HostChecklist, useOnlyHost, type HostScope } from "./host-picker";
import { ImagePullProgress } from "./image-pull-progress";
import { Button, Dialog, ErrorNote, Input } from "./ui";

const PULLABLE: HostScope = { status: "online", operable: true };

/** `docker pull` to one host or many at once, with per-layer progress, then a way on to "run". */
export function ImagePullDialog({ open, initialReference = "", onClose }: { open: boolean; initialReference?: string; onClose: () => void }) {
  const trpc = useTRPC();
  const pull = useMutation(trpc.images.pull.mutationOptions());
  const [reference, setReference] = useState(initialReference);
  const [picked, setPicked] = useState<string[] | null>(null);
  // Once done: whether any host has the image now (only then is "Run it…" offered).
  const [finished, setFinished] = useState<{ pulledSomewhere: boolean } | null>(null);
  const only = useOnlyHost(PULLABLE);
  const anyUsable = useQuery(trpc.hosts.search.queryOptions({ ...PULLABLE, limit: 1 }));
  const chosen = picked ?? (only ? [only] : []);
  const ref = reference.trim();
  return (
    <Dialog open={open} onClose={onClose} title="Pull image">
      {pull.data ? (
        <div className="space-y-3">
          <ImagePullProgress pullId={pull.data.pullId} onDone={(state) => setFinished({ pulledSomewhere: state.hosts.some((h) => h.phase === "succeeded") })} />
          <div className="flex justify-end gap-2">
            {finished?.pulledSomewhere && (
              <Link href={`/run?image=${encodeURIComponent(ref)}`} className="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800">
                Run it…
              </Link>
            )}
            <Button onClick={onClose}>{finished ? "Close" : "Hide (the pull goes on)"}</Button>
          </div>
        </div>
      ) : (
        <form
          className="space-y-3 text-sm"
          onSubmit={(e) => {
            e.preventDefault();
            if (ref && chosen.length) pull.mutate({ hostIds: chosen, reference: ref });
          }}
        >
          <label className="block space-y-1">
            <span className="block font-medium">Image</span>
            <Input value={reference} onChange={(e) => setReference(e.target.value)} placeholder="registry.example.com/team/app:1.4.2" required autoFocus className="w-full font-mono" />
          </label>
          {mutableTagWarning(ref) && <p className="text-amber-800">{mutableTagWarning(ref)}</p>}
          <div className="space-y-1">
            <p className="font-medium">Hosts</p>
            {anyUsable.data?.total === 0 ? <p className="text-slate-500">No online host where you may pull.</p> : <HostChecklist legend="Hosts to pull to" value={chosen} onChange={setPicked} scope={PULLABLE} />}
          </div>
          <ErrorNote error={pull.error} />
          <div className="flex justify-end gap-2">
            <Button type="button" onClick={onClose}>
              Cancel
            </Button>
            <Button variant="primary" type="submit" disabled={!ref || chosen.length === 0 || pull.isPending}>
              Pull to {chosen.length} host{chosen.length === 1 ? "" : "s"}
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
