"use client";

import { useState } from "react";
import { useMutation } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../server/trpc/root";
import { useTRPC } from "@/lib/trpc";
import { useInvalidate } from "@/lib/invalidate";
import { Button, Dialog, ErrorNote, Input } from "./ui";

type Registry = inferRouterOutputs<AppRouter>["registries"]["list"][number];

/** Add or edit a registry; "Test connection" tries the form as it is, before anything is saved. */
export function RegistryDialog({ registry, onClose }: { registry: Registry | null; onClose: () => void }) {
  const trpc = useTRPC();
  const invalidate = useInvalidate("registries");
  const done = { onSuccess: () => void invalidate().then(onClose) };
  const add = useMutation(trpc.registries.add.mutationOptions(done));
  const update = useMutation(trpc.registries.update.mutationOptions(done));
  const remove = useMutation(trpc.registries.remove.mutationOptions(done));
  const test = useMutation(trpc.registries.test.mutationOptions());
  const [form, setForm] = useState({ name: registry?.name ?? "", address: registry?.address ?? "", insecure: registry?.insecure ?? false, username: registry?.username ?? "", password: "", clearPassword: false });
  const set = <K extends keyof typeof form>(k: K, v: (typeof form)[K]) => {
    setForm((f) => ({ ...f, [k]: v }));
    test.reset();
  };
  const save = () => (registry ? update.mutate({ id: registry.id, registry: form }) : add.mutate(form));
  const pending = add.isPending || update.isPending || remove.isPending;
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
        <ErrorNote error={test.error ?? add.error ?? update.error ?? remove.error} />
        <div className="flex flex-wrap justify-end gap-2">
          {registry && (
            <Button
              type="button"
              variant="danger"
              className="mr-auto"
              disabled={pending}
              onClick={() => {
                if (confirm(`Remove ${registry.name} and its stored credentials?`)) remove.mutate({ id: registry.id });
              }}
            >
              Remove
            </Button>
          )}
          <Button type="button" disabled={test.isPending || !form.address} onClick={() => test.mutate({ id: registry?.id, registry: form })}>
            {test.isPending ? "Testing…" : "Test connection"}
          </Button>
          <Button type="submit" variant="primary" disabled={pending}>
            {pending ? "Saving…" : "Save"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
