"use client";

import { useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { DEFAULT_HEALTH_GATE } from "@stevedore/protocol";
import { useTRPC } from "@/lib/trpc";
import { ConfirmDialog, Select, TargetList, toast } from "./ui";

export interface UpdateDialogTarget {
  hostId: string;
  hostName: string;
  id: string;
  name: string;
}

/** Asks before updating several containers, naming them, with how many hosts go at once; reports the rollout it started. */
export function UpdateDialog({ targets, title, onClose, onStarted }: { targets: UpdateDialogTarget[] | null; title: string; onClose: () => void; onStarted: (rolloutId: string) => void }) {
  const trpc = useTRPC();
  const [batchSize, setBatchSize] = useState(1);
  const update = useMutation(
    trpc.containers.update.mutationOptions({
      onError: (err) => toast({ tone: "error", title: "The update could not start", details: [err.message] }),
    }),
  );
  return (
    <ConfirmDialog
      open={targets !== null}
      onClose={onClose}
      title={title}
      confirmLabel="Update"
      onConfirm={() => {
        // onStarted as it is now: the caller's state when asked, not after the dialog closed.
        if (targets) update.mutate({ targets: targets.map((c) => ({ hostId: c.hostId, id: c.id })), options: { gate: DEFAULT_HEALTH_GATE, batchSize } }, { onSuccess: ({ rolloutId }) => onStarted(rolloutId) });
        onClose();
      }}
    >
      <p>
        Each is pulled on its host and recreated on the new image, keeping its settings; the old container is kept until the new one is healthy (or has run {DEFAULT_HEALTH_GATE.stableSeconds} s without a restart) and put back if
        not. The first failure stops the rest.
      </p>
      <TargetList label="Containers" items={(targets ?? []).map((c) => ({ key: `${c.hostId}/${c.id}`, name: c.name, detail: c.hostName }))} />
      {new Set(targets?.map((t) => t.hostId)).size > 1 && (
        <label className="flex items-center gap-2">
          Hosts at a time
          <Select value={String(batchSize)} onChange={(e) => setBatchSize(Number(e.target.value))}>
            {[1, 2, 5, 10].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </Select>
        </label>
      )}
    </ConfirmDialog>
  );
}
