"use client";

import { useState } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { NetworkCreate } from "@stevedore/protocol";
import { useTRPC } from "@/lib/trpc";
import { FieldErrors } from "../run-form-fields";
import { parseKeyValues } from "../resources/key-values";
import { ACTIONABLE, Facts, KeyValueList, UsedBy, useDialogHost } from "../resources/resource-parts";
import { HostPicker } from "../host-picker";
import { Button, ConfirmDialog, Dialog, ErrorNote, Input, RelativeTime, Select, Spinner, TargetList, toast, useNow } from "../ui";
import type { NetworkRow } from "./network-list";

const textarea = "w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 font-mono text-xs aria-invalid:border-red-600";

/** One network read live: address ranges, options, labels and the containers joining it. */
export function NetworkInspectDialog({ network, onClose }: { network: NetworkRow | null; onClose: () => void }) {
  const trpc = useTRPC();
  const now = useNow();
  const detail = useQuery({ ...trpc.networks.inspect.queryOptions({ hostId: network?.hostId ?? "", id: network?.id ?? "" }), enabled: network !== null });
  const n = detail.data;
  return (
    <Dialog open={network !== null} onClose={onClose} title={network ? `Network ${network.name}` : "Network"}>
      <div className="space-y-3 text-sm" data-testid="network-detail">
        {detail.isPending ? (
          <Spinner label="Reading the network…" />
        ) : n ? (
          <Facts
            rows={[
              ["Host", n.hostName],
              ["Id", <span key="i" className="font-mono text-xs">{n.id}</span>],
              ["Driver", n.driver],
              ["Scope", n.scope],
              ["Subnets", n.ipam.length ? n.ipam.map((i) => `${i.subnet}${i.gateway ? ` (gateway ${i.gateway})` : ""}`).join(", ") : "—"],
              ["Internal", n.internal ? "yes: no route out of the host" : "no"],
              ["Attachable", n.attachable ? "yes" : "no"],
              ["Created", <RelativeTime key="c" at={n.createdAt} now={now} />],
              ["Options", <KeyValueList key="o" label="Driver options" values={n.options} />],
              ["Labels", <KeyValueList key="l" label="Labels" values={n.labels} />],
              ["Used by", <UsedBy key="u" hostId={n.hostId} containers={n.containers} all />],
            ]}
          />
        ) : null}
        <ErrorNote error={detail.error} />
      </div>
    </Dialog>
  );
}

/** `docker network rm`, after asking, naming the network and its host. */
export function NetworkRemoveDialog({ network, onClose }: { network: NetworkRow | null; onClose: () => void }) {
  const trpc = useTRPC();
  const remove = useMutation(trpc.networks.remove.mutationOptions());
  return (
    <ConfirmDialog
      open={network !== null}
      onClose={onClose}
      title={network ? `Remove network ${network.name}?` : "Remove network"}
      confirmLabel={network ? `Remove ${network.name}` : "Remove"}
      blocked={network && network.containers.length > 0 ? `Used by ${network.containers.map((c) => c.name).join(", ")}: disconnect or remove those containers first` : null}
      onConfirm={() => {
        const n = network!;
        onClose();
        remove.mutate(
          { hostId: n.hostId, id: n.id },
          {
            onSuccess: () => toast({ tone: "ok", title: `Removed network ${n.name} on ${n.hostName}` }),
            onError: (err) => toast({ tone: "error", title: `Could not remove network ${n.name}`, details: [err.message] }),
          },
        );
      }}
    >
      {network && <TargetList label="Network to remove" items={[{ key: network.id, name: network.name, detail: network.hostName }]} />}
    </ConfirmDialog>
  );
}

/** `docker network create` on one host, validated as the server validates it, problems at their fields. */
export function NetworkCreateDialog({ initialHostId, onClose }: { initialHostId: string; onClose: () => void }) {
  const trpc = useTRPC();
  const { hostId, setHostId, host } = useDialogHost(initialHostId);
  const [name, setName] = useState("");
  const [driver, setDriver] = useState<"bridge" | "macvlan" | "ipvlan" | "overlay">("bridge");
  const [subnet, setSubnet] = useState("");
  const [gateway, setGateway] = useState("");
  const [internal, setInternal] = useState(false);
  const [attachable, setAttachable] = useState(false);
  const [labels, setLabels] = useState("");
  const [problems, setProblems] = useState<Record<string, string[]>>({});
  const create = useMutation(trpc.networks.create.mutationOptions());

  const submit = () => {
    const found: Record<string, string[]> = {};
    const labs = parseKeyValues(labels, "label");
    if (!labs.ok) found.labels = [labs.error];
    const parsed = NetworkCreate.safeParse({ name: name.trim(), driver, subnet: subnet.trim() || undefined, gateway: gateway.trim() || undefined, internal, attachable, labels: labs.ok ? labs.values : {} });
    if (!parsed.success) for (const issue of parsed.error.issues) (found[String(issue.path[0])] ??= []).push(issue.message);
    if (!name.trim()) found.name = ["give the network a name"];
    setProblems(found);
    if (Object.keys(found).length > 0 || !parsed.success || !host) return;
    create.mutate(
      { hostId, network: parsed.data },
      {
        onSuccess: (n) => {
          toast({ tone: "ok", title: `Created network ${n.name} on ${host.name}`, details: n.ipam.map((i) => `subnet ${i.subnet}${i.gateway ? `, gateway ${i.gateway}` : ""}`) });
          onClose();
        },
      },
    );
  };
  const field = (key: string) => ({ "aria-invalid": problems[key]?.length ? true : undefined });

  return (
    <Dialog open onClose={onClose} title="Create network">
      <form
        className="space-y-3 text-sm"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <div className="grid gap-3 sm:grid-cols-2">
          <label className="block space-y-1">
            <span className="font-medium">Host</span>
            <HostPicker label="Host" value={hostId} onChange={setHostId} scope={ACTIONABLE} className="w-full" />
          </label>
          <label className="block space-y-1">
            <span className="font-medium">Driver</span>
            <Select value={driver} onChange={(e) => setDriver(e.target.value as typeof driver)} className="w-full">
              {["bridge", "macvlan", "ipvlan", "overlay"].map((d) => (
                <option key={d} value={d}>
                  {d}
                </option>
              ))}
            </Select>
          </label>
          <label className="block space-y-1 sm:col-span-2">
            <span className="font-medium">Name</span>
            <Input value={name} onChange={(e) => setName(e.target.value)} placeholder="backend" className="w-full" autoComplete="off" {...field("name")} />
            {problems.name && <FieldErrors errors={problems.name} />}
          </label>
          <label className="block space-y-1">
            <span className="font-medium">Subnet</span>
            <Input value={subnet} onChange={(e) => setSubnet(e.target.value)} placeholder="172.28.0.0/16 (optional)" className="w-full" autoComplete="off" {...field("subnet")} />
            {problems.subnet && <FieldErrors errors={problems.subnet} />}
          </label>
          <label className="block space-y-1">
            <span className="font-medium">Gateway</span>
            <Input value={gateway} onChange={(e) => setGateway(e.target.value)} placeholder="172.28.0.1 (optional)" className="w-full" autoComplete="off" {...field("gateway")} />
            {problems.gateway && <FieldErrors errors={problems.gateway} />}
          </label>
        </div>
        <label className="flex items-center gap-2">
          <input type="checkbox" checked={internal} onChange={(e) => setInternal(e.target.checked)} /> Internal <span className="text-xs text-slate-500">(no route out of the host)</span>
        </label>
        <label className="flex items-center gap-2">
          <input type="checkbox" checked={attachable} onChange={(e) => setAttachable(e.target.checked)} /> Attachable
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

/** Unused networks on one host: the preview, then exactly those removed. */
export function NetworkPruneDialog({ initialHostId, onClose }: { initialHostId: string; onClose: () => void }) {
  const trpc = useTRPC();
  const { hostId, setHostId, host } = useDialogHost(initialHostId);
  const preview = useQuery({ ...trpc.networks.prunePreview.queryOptions({ hostId }), enabled: !!hostId });
  const prune = useMutation(trpc.networks.prune.mutationOptions());
  const networks = preview.data?.networks ?? [];

  const confirm = () => {
    if (!host) return;
    prune.mutate(
      { hostId, ids: networks.map((n) => n.id) },
      {
        onSuccess: (r) =>
          toast({
            tone: r.failed.length ? "mixed" : "ok",
            title: `Pruned ${host.name}: ${r.removed.length} network${r.removed.length === 1 ? "" : "s"} removed`,
            details: r.failed.map((f) => `${f.name}: ${f.error}`),
          }),
      },
    );
  };

  return (
    <Dialog open onClose={onClose} title={host ? `Prune networks on ${host.name}` : "Prune networks"}>
      <div className="space-y-3 text-sm">
        <label className="flex items-center gap-2">
          <span className="font-medium">Host</span>
          <HostPicker label="Host" value={hostId} onChange={setHostId} scope={ACTIONABLE} disabled={!!prune.data} />
        </label>
        {prune.data ? (
          <p role="status" data-testid="prune-result">
            Removed {prune.data.removed.length} network{prune.data.removed.length === 1 ? "" : "s"}.
            {prune.data.failed.length > 0 && ` Kept ${prune.data.failed.map((f) => `${f.name} (${f.error})`).join(", ")}.`}
          </p>
        ) : preview.isPending ? (
          <Spinner label="Working out what would go…" />
        ) : preview.data ? (
          <>
            <p data-testid="prune-preview">
              {networks.length === 0
                ? "Nothing to prune: every network is in use or the engine's own."
                : `${networks.length} network${networks.length === 1 ? "" : "s"} no container (running or stopped) joins would go.`}
            </p>
            {networks.length > 0 && <TargetList label="Networks to remove" items={networks.map((n) => ({ key: n.id, name: n.name, detail: n.id.slice(0, 12) }))} />}
          </>
        ) : null}
        <ErrorNote error={preview.error ?? prune.error} />
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>{prune.data ? "Close" : "Cancel"}</Button>
          {!prune.data && (
            <Button variant="danger" disabled={prune.isPending || networks.length === 0} onClick={confirm}>
              {prune.isPending ? "Pruning…" : `Remove ${networks.length} network${networks.length === 1 ? "" : "s"}`}
            </Button>
          )}
        </div>
      </div>
    </Dialog>
  );
}
