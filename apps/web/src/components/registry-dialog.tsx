"use client";

import { useState } from "react";
import { useMutation } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../server/trpc/root";
import { useTRPC } from "@/lib/trpc";
import { useInvalidate } from "@/lib/invalidate";
import { Button, Dialog, ErrorNote, Input, toast } from "./ui";

type Registry = inferRouterOutputs<AppRouter>["registries"]["list"][number];

/** Add or edit a registry; "Test connection" tries the form as it is, before anything is saved. */
export function RegistryDialog({ registry, onClose }: { registry: Registry | null; onClose: () => void }) {
  const trpc = useTRPC();
  const invalidate = useInvalidate("registries");
  const done = {
    onSuccess: (view: { name: string }) => {
      toast({ tone: "ok", title: `${registry ? "Saved" : "Added"} ${view.name}` });
      void invalidate().then(onClose);
    },
  };
  const add = useMutation(trpc.registries.add.mutationOptions(done));
  const update = useMutation(trpc.registries.update.mutationOptions(done));
  const test = useMutation(trpc.registries.test.mutationOptions());
  const [form, setForm] = useState({ name: registry?.name ?? "", address: registry?.address ?? "", insecure: registry?.insecure ?? false, username: registry?.username ?? "", password: "", clearPassword: false });
  const set = <K extends keyof typeof form>(k: K, v: (typeof form)[K]) => {
    setForm((f) => ({ ...f, [k]: v }));
    test.reset();
    setWarned(false);
  };
  // Saving what the last test refused asks once more, naming why (the test resets on any edit).
  const [warned, setWarned] = useState(false);
  const save = () => {
    if (test.isError && !warned) return setWarned(true);
    if (registry) update.mutate({ id: registry.id, registry: form });
    else add.mutate(form);
  };
  const pending = add.isPending || update.isPending;
  return (
    <Dialog open onClose={onClose} title={registry ? `Edit ${registry.name}` : "Add registry"}>
      <form
        className="space-y-3 text-sm"
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
      >
        <div className="grid gap-3 sm:grid-cols-2">
          <label className="space-y-1">
            <span className="block font-medium">Name</span>
            <Input value={form.name} onChange={(e) => set("name", e.target.value)} required className="w-full" autoFocus placeholder="Team registry" />
          </label>
          <label className="space-y-1">
            <span className="block font-medium">Address</span>
            <Input value={form.address} onChange={(e) => set("address", e.target.value)} required className="w-full font-mono" placeholder="registry.example.com:5000" />
          </label>
          <label className="space-y-1">
            <span className="block font-medium">Username</span>
            <Input value={form.username} onChange={(e) => set("username", e.target.value)} className="w-full" autoComplete="off" />
          </label>
          <label className="space-y-1">
            <span className="block font-medium">Password or token</span>
            <Input
              type="password"
              value={form.password}
              onChange={(e) => set("password", e.target.value)}
              className="w-full"
              autoComplete="new-password"
              placeholder={registry?.hasPassword ? "stored; type to replace" : ""}
            />
          </label>
        </div>
        <label className="flex items-center gap-2">
          <input type="checkbox" checked={form.insecure} onChange={(e) => set("insecure", e.target.checked)} /> Plain HTTP (no TLS; the engine must list it as an insecure registry)
        </label>
        {registry?.hasPassword && (
          <label className="flex items-center gap-2">
            <input type="checkbox" checked={form.clearPassword} onChange={(e) => set("clearPassword", e.target.checked)} /> Forget the stored password
          </label>
        )}
        <p className="text-xs text-slate-500">The password is encrypted at rest, never shown again, and sent to a host only inside a pull from this registry.</p>
        {test.isSuccess && (
          <p role="status" className="text-emerald-800">
            Connected{test.data.apiVersion ? ` (${test.data.apiVersion})` : ""}: the registry accepts these credentials.
          </p>
        )}
        <ErrorNote error={test.error ?? add.error ?? update.error} />
        {warned && (
          <p role="alert" data-testid="save-untested-warning" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-amber-900">
            The last connection test failed. Saved as it is, pulls and browsing from this registry will fail the same way. Save anyway?
          </p>
        )}
        <div className="flex flex-wrap justify-end gap-2">
          <Button type="button" disabled={test.isPending || !form.address} onClick={() => test.mutate({ id: registry?.id, registry: form })}>
            {test.isPending ? "Testing…" : "Test connection"}
          </Button>
          <Button type="submit" variant="primary" disabled={pending}>
            {pending ? "Saving…" : warned ? "Save anyway" : "Save"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
