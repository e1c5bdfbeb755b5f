"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { PREVIOUS_IMAGE_LABEL } from "@stevedore/protocol";
import type { ContainerUpdate } from "../../server/updates/image-updates";
import { useTRPC } from "@/lib/trpc";
import { shortId } from "@/lib/format";
import { RolloutProgress } from "./rollout-progress";
import { newerText } from "./update-badge";
import { Button, ConfirmDialog } from "./ui";

const link = "rounded-md px-3 py-1.5 text-sm font-medium text-slate-800 ring-1 ring-slate-300 hover:bg-slate-50";

/** Edit and recreate, Duplicate, Update (pull, then recreate through the health gate) and Roll back, for one container. */
export function ContainerRecreateActions({ c, update }: { c: { hostId: string; hostName: string; id: string; name: string; image: string; labels: Record<string, string> }; update: ContainerUpdate | null }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [asking, setAsking] = useState<"update" | "rollback" | null>(null);
  const updateMut = useMutation(trpc.containers.update.mutationOptions());
  const rollbackMut = useMutation(trpc.containers.rollback.mutationOptions());
  const rolloutId = updateMut.data?.rolloutId ?? rollbackMut.data?.rolloutId;
  const previous = c.labels[PREVIOUS_IMAGE_LABEL];
  const target = { hostId: c.hostId, id: c.id };
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-2">
        <Link href={`/run?recreate=${c.hostId}/${c.id}`} className={link}>
          Edit and recreate
        </Link>
        <Link href={`/run?duplicate=${c.hostId}/${c.id}`} className={link}>
          Duplicate
        </Link>
        <Button variant={update?.state === "outdated" ? "primary" : "secondary"} disabled={!!rolloutId && !updateMut.isError} onClick={() => setAsking("update")}>
          {update?.state === "outdated" ? "Update" : "Pull and update"}
        </Button>
        {previous && (
          <Button disabled={!!rolloutId} onClick={() => setAsking("rollback")}>
            Roll back
          </Button>
        )}
        {update?.state === "outdated" && <span className="text-sm text-amber-900">A newer image is under {c.image}{newerText(update.newer) ? `; newer versions: ${newerText(update.newer)}` : ""}.</span>}
      </div>
      {(updateMut.error ?? rollbackMut.error) && <p className="text-sm text-red-700">{(updateMut.error ?? rollbackMut.error)!.message}</p>}
      {rolloutId && <RolloutProgress key={rolloutId} rolloutId={rolloutId} onDone={(s) => s.targets[0]?.currentId && s.targets[0].currentId !== c.id && router.push(`/containers/${c.hostId}/${s.targets[0].currentId}`)} />}
      <ConfirmDialog
        open={asking !== null}
        onClose={() => setAsking(null)}
        title={asking === "rollback" ? `Roll back ${c.name}?` : `Update ${c.name}?`}
        confirmLabel={asking === "rollback" ? "Roll back" : "Update"}
        onConfirm={() => {
          if (asking === "rollback") rollbackMut.mutate(target);
          else updateMut.mutate({ targets: [target] });
          setAsking(null);
        }}
      >
        <p>
          {asking === "rollback" ? (
            <>
              <span className="font-medium">{c.name}</span> on {c.hostName} is recreated on the image it ran before its last recreate (<code>{shortId(previous ?? "")}</code>), with its current settings.
            </>
          ) : (
            <>
              <code>{c.image}</code> is pulled on {c.hostName}; if it brings a different image, <span className="font-medium">{c.name}</span> is recreated on it with the same settings.
            </>
          )}{" "}
          The old container is kept until the new one is healthy (or has run 30 s without a restart), and put back if not.
        </p>
      </ConfirmDialog>
    </div>
  );
}
