"use client";

import { useState } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { VolumeCreate } from "@stevedore/protocol";
import { useTRPC } from "@/lib/trpc";
import { bytes } from "@/lib/format";
import { FieldErrors } from "../run-form-fields";
import { parseKeyValues } from "../resources/key-values";
import { ACTIONABLE, Facts, KeyValueList, UsedBy, useDialogHost } from "../resources/resource-parts";
import { HostPicker } from "../host-picker";
import { Button, ConfirmDialog, Dialog, ErrorNote, Input, RelativeTime, Spinner, TargetList, toast, useNow } from "../ui";
import type { VolumeRow } from "./volume-list";

const textarea = "w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 font-mono text-xs aria-invalid:border-red-600";

/** One volume read live: options, labels, the containers using it and its size where the engine reports one. */
export function VolumeInspectDialog({ volume, onClose }: { volume: VolumeRow | null; onClose: () => void }) {
  const trpc = useTRPC();
  const now = useNow();
  const detail = useQuery({ ...trpc.volumes.inspect.queryOptions({ hostId: volume?.hostId ?? "", name: volume?.name ?? "" }), enabled: volume !== null });
  const v = detail.data;
  return (
    <Dialog open={volume !== null} onClose={onClose} title={volume ? `Volume ${volume.name}` : "Volume"}>
      <div className="space-y-3 text-sm" data-testid="volume-detail">
        {detail.isPending ? (
          <Spinner label="Reading the volume…" />
        ) : v ? (
          <Facts
            rows={[
              ["Host", v.hostName],
              ["Driver", v.driver],
              ["Scope", v.scope],
              ["Mount point", <span key="m" className="font-mono text-xs">{v.mountpoint || "—"}</span>],
              ["Created", <RelativeTime key="c" at={v.createdAt} now={now} />],
              ["Size", v.sizeBytes === null ? <span key="s" className="text-slate-500">not reported by the driver</span> : bytes(v.sizeBytes)],
              ["Options", <KeyValueList key="o" label="Driver options" values={v.options} />],
              ["Labels", <KeyValueList key="l" label="Labels" values={v.labels} />],
              ["Used by", <UsedBy key="u" hostId={v.hostId} containers={v.containers} all />],
            ]}
          />
        ) : null}
        <ErrorNote error={detail.error} />
      </div>
    </Dialog>
  );
}

/** `docker volume rm`, after asking, naming the volume and its host. */
export function VolumeRemoveDialog({ volume, onClose }: { volume: VolumeRow | null; onClose: () => void }) {
  const trpc = useTRPC();
  const remove = useMutation(trpc.volumes.remove.mutationOptions());
  return (
    <ConfirmDialog
      open={volume !== null}
      onClose={onClose}
      title={volume ? `Remove volume ${volume.name}?` : "Remove volume"}
      confirmLabel={volume ? `Remove ${volume.name}` : "Remove"}
      blocked={volume && volume.containers.length > 0 ? `In use by ${volume.containers.map((c) => c.name).join(", ")}: remove those containers first` : null}
      onConfirm={() => {
        const v = volume!;
        onClose();
        remove.mutate(
          { hostId: v.hostId, name: v.name },
          {
            onSuccess: () => toast({ tone: "ok", title: `Removed volume ${v.name} on ${v.hostName}` }),
            onError: (err) => toast({ tone: "error", title: `Could not remove volume ${v.name}`, details: [err.message] }),
          },
        );
      }}
    >
      {volume && (
        <>
          <TargetList label="Volume to remove" items={[{ key: volume.name, name: volume.name, detail: volume.hostName }]} />
          <p>Its data is deleted from the host for good.</p>
        </>
      )}
    </ConfirmDialog>
  );
}

/** `docker volume create` on one host, validated as the server validates it, problems at their fields. */
export function VolumeCreateDialog({ initialHostId, onClose }: { initialHostId: string; onClose: () => void }) {
  const trpc = useTRPC();
  const { hostId, setHostId, host } = useDialogHost(initialHostId);
  const [name, setName] = useState("");
  const [driver, setDriver] = useState("local");
  const [options, setOptions] = useState("");
  const [labels, setLabels] = useState("");
  const [problems, setProblems] = useState<Record<string, string[]>>({});
  const create = useMutation(trpc.volumes.create.mutationOptions());

  const submit = () => {
    const found: Record<string, string[]> = {};
    const opts = parseKeyValues(options, "driver option");
    const labs = parseKeyValues(labels, "label");
    if (!opts.ok) found.options = [opts.error];
    if (!labs.ok) found.labels = [labs.error];
    const parsed = VolumeCreate.safeParse({ name: name.trim(), driver: driver.trim() || "local", options: opts.ok ? opts.values : {}, labels: labs.ok ? labs.values : {} });
    if (!parsed.success) for (const issue of parsed.error.issues) (found[String(issue.path[0])] ??= []).push(issue.message);
    if (!name.trim()) found.name = ["give the volume a name"];
    setProblems(found);
    if (Object.keys(found).length > 0 || !parsed.success || !host) return;
    create.mutate(
      { hostId, volume: parsed.data },
      {
        onSuccess: (v) => {
          toast({ tone: "ok", title: `Created volume ${v.name} on ${host.name}` });
          onClose();
        },
      },
    );
  };
  const field = (key: string) => ({ "aria-invalid": problems[key]?.length ? true : undefined });

  return (
    <Dialog open onClose={onClose} title="Create volume">
      <form
        className="space-y-3 text-sm"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label className="block space-y-1">
          <span className="font-medium">Host</span>
          <HostPicker label="Host" value={hostId} onChange={setHostId} scope={ACTIONABLE} className="w-full" />
        </label>
        <label className="block space-y-1">
          <span className="font-medium">Name</span>
          <Input value={name} onChange={(e) => setName(e.target.value)} placeholder="app-data" className="w-full" autoComplete="off" {...field("name")} />
          {problems.name && <FieldErrors errors={problems.name} />}
        </label>
        <label className="block space-y-1">
          <span className="font-medium">Driver</span>
          <Input value={driver} onChange={(e) => setDriver(e.target.value)} className="w-full" autoComplete="off" {...field("driver")} />
          {problems.driver && <FieldErrors errors={problems.driver} />}
        </label>
        <label className="block space-y-1">
          <span className="font-medium">Driver options</span>
          <textarea value={options} onChange={(e) => setOptions(e.target.value)} rows={2} className={textarea} placeholder="type=tmpfs" {...field("options")} />
          {problems.options && <FieldErrors errors={problems.options} />}
          <span className="block text-xs text-slate-500">key=value, one per line. Options naming a host path (o=bind, device=/…) are for admins only.</span>
        </label>
        <label className="block space-y-1">
          <span className="font-medium">Labels</span>
          <textarea value={labels} onChange={(e) => setLabels(e.target.value)} rows={2} className={textarea} placeholder="team=payments" {...field("labels")} />
          {problems.labels && <FieldErrors errors={problems.labels} />}
        </label>
        <ErrorNote error={create.error} />
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** Unused volumes on one host: the preview (names and sizes, the space freed), then exactly those removed. */
export function VolumePruneDialog({ initialHostId, onClose }: { initialHostId: string; onClose: () => void }) {
  const trpc = useTRPC();
  const { hostId, setHostId, host } = useDialogHost(initialHostId);
  const preview = useQuery({ ...trpc.volumes.prunePreview.queryOptions({ hostId }), enabled: !!hostId });
  const prune = useMutation(trpc.volumes.prune.mutationOptions());
  const volumes = preview.data?.volumes ?? [];

  const confirm = () => {
    if (!host) return;
    prune.mutate(
      { hostId, names: volumes.map((v) => v.name) },
      {
        onSuccess: (r) =>
          toast({
            tone: r.failed.length ? "mixed" : "ok",
            title: `Pruned ${host.name}: ${r.removed.length} volume${r.removed.length === 1 ? "" : "s"} removed, ${bytes(r.reclaimedBytes)} freed`,
            details: r.failed.map((f) => `${f.name}: ${f.error}`),
          }),
      },
    );
  };

  return (
    <Dialog open onClose={onClose} title={host ? `Prune volumes on ${host.name}` : "Prune volumes"}>
      <div className="space-y-3 text-sm">
        <label className="flex items-center gap-2">
          <span className="font-medium">Host</span>
          <HostPicker label="Host" value={hostId} onChange={setHostId} scope={ACTIONABLE} disabled={!!prune.data} />
        </label>
        {prune.data ? (
          <p role="status" data-testid="prune-result">
            Removed {prune.data.removed.length} volume{prune.data.removed.length === 1 ? "" : "s"}, {bytes(prune.data.reclaimedBytes)} freed.
            {prune.data.failed.length > 0 && ` Kept ${prune.data.failed.map((f) => `${f.name} (${f.error})`).join(", ")}.`}
          </p>
        ) : preview.isPending ? (
          <Spinner label="Working out what would go…" />
        ) : preview.data ? (
          <>
            <p data-testid="prune-preview">
              {volumes.length === 0
                ? "Nothing to prune: every volume is in use."
                : `${volumes.length} unused volume${volumes.length === 1 ? "" : "s"} would go with their data, freeing ${bytes(preview.data.reclaimableBytes)}.`}
            </p>
            {volumes.length > 0 && <TargetList label="Volumes to remove" items={volumes.map((v) => ({ key: v.name, name: v.name, detail: v.sizeBytes === null ? "size unknown" : bytes(v.sizeBytes) }))} />}
          </>
        ) : null}
        <ErrorNote error={preview.error ?? prune.error} />
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>{prune.data ? "Close" : "Cancel"}</Button>
          {!prune.data && (
            <Button variant="danger" disabled={prune.isPending || volumes.length === 0} onClick={confirm}>
              {prune.isPending ? "Pruning…" : `Remove ${volumes.length} volume${volumes.length === 1 ? "" : "s"}`}
            </Button>
          )}
        </div>
      </div>
    </Dialog>
  );
}
