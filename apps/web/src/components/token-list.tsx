"use client";

import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";
import { roleAtLeast } from "../../server/access/roles";
import { ROLE_CHOICES, type UserRole } from "./user-roles";
import { Badge, Button, Card, ConfirmDialog, CopyButton, Dialog, ErrorNote, Input, RelativeTime, Select, Spinner, TargetList, toast, useNow } from "./ui";

type Role = Exclude<UserRole, "none">;
/** A token carries a role of its own (at most its owner's highest, grants counted). */
const TOKEN_CHOICES = ROLE_CHOICES.filter((c): c is { value: Role; description: string } => c.value !== "none");

/** The signed-in user's API tokens for automation: made here, shown once, revocable. */
export function TokenList() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const now = useNow(30_000);
  const me = useQuery(trpc.me.get.queryOptions());
  const tokens = useQuery(trpc.tokens.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.tokens.list.queryKey() });
  const create = useMutation(trpc.tokens.create.mutationOptions({ onSuccess: refresh }));
  const revoke = useMutation(trpc.tokens.revoke.mutationOptions({ onSuccess: refresh }));
  const [revoking, setRevoking] = useState<{ id: string; name: string } | null>(null);
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [days, setDays] = useState("90");
  const mine = me.data?.highestRole ?? "viewer";

  return (
    <div className="space-y-4">
      <div className="flex items-center justify-between">
        <div>
          <h1 className="text-xl font-semibold">API tokens</h1>
          <p className="text-sm text-slate-600">
            For scripts and CI: send <code className="font-mono text-xs">Authorization: Bearer &lt;token&gt;</code> to <code className="font-mono text-xs">/api/trpc</code>. A token acts as you, with at most your role, and is audited by its name.
          </p>
        </div>
        <Button
          variant="primary"
          onClick={() => {
            create.reset();
            setName("");
            setOpen(true);
          }}
        >
          New token
        </Button>
      </div>
      <ErrorNote error={tokens.error ?? revoke.error} />
      <Card>
        {tokens.isPending && (
          <div className="p-4">
            <Spinner label="Loading tokens…" />
          </div>
        )}
        {tokens.data?.length === 0 && <p className="p-4 text-sm text-slate-500">No tokens yet.</p>}
        {!!tokens.data?.length && (
          <table className="table-cards w-full text-left text-sm">
            <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th className="px-4 py-2 font-medium">Name</th>
                <th className="px-4 py-2 font-medium">Role</th>
                <th className="px-4 py-2 font-medium">Created</th>
                <th className="px-4 py-2 font-medium">Last used</th>
                <th className="px-4 py-2 font-medium">Expires</th>
                <th className="px-4 py-2">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {tokens.data?.map((t) => (
                <tr key={t.id} data-testid="token-row">
                  <td data-card="title" className="px-4 py-2 font-medium">{t.name}</td>
                  <td data-label="Role" className="px-4 py-2">
                    <Badge tone="sky">{t.role}</Badge>
                  </td>
                  <td data-label="Created" className="px-4 py-2">
                    <RelativeTime at={t.createdAt.getTime()} now={now} />
                  </td>
                  <td data-label="Last used" className="px-4 py-2">
                    <RelativeTime at={t.lastUsedAt?.getTime() ?? null} now={now} />
                  </td>
                  <td data-label="Expires" className="px-4 py-2">{t.expiresAt ? <RelativeTime at={t.expiresAt.getTime()} now={now}>{t.expiresAt.toLocaleDateString()}</RelativeTime> : "never"}</td>
                  <td data-card="end" className="px-4 py-2 text-right">
                    {t.revokedAt ? (
                      <Badge tone="red">revoked</Badge>
                    ) : (
                      <Button variant="danger" disabled={revoke.isPending} onClick={() => setRevoking({ id: t.id, name: t.name })} aria-label={`Revoke ${t.name}`}>
                        Revoke
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>

      <ConfirmDialog
        open={revoking !== null}
        onClose={() => setRevoking(null)}
        title={revoking ? `Revoke ${revoking.name}?` : "Revoke token"}
        confirmLabel={revoking ? `Revoke ${revoking.name}` : "Revoke"}
        onConfirm={() => {
          const t = revoking!;
          setRevoking(null);
          revoke.mutate(
            { id: t.id },
            {
              onSuccess: () => toast({ tone: "ok", title: `Revoked ${t.name}`, details: ["Requests with it are refused from now on."] }),
              onError: (err) => toast({ tone: "error", title: `Could not revoke ${t.name}`, details: [err.message] }),
            },
          );
        }}
      >
        {revoking && (
          <>
            <TargetList label="Token to revoke" items={[{ key: revoking.id, name: revoking.name }]} />
            <p>Scripts using it stop working at once; this cannot be undone (make a new token instead).</p>
          </>
        )}
      </ConfirmDialog>

      <Dialog open={open} onClose={() => setOpen(false)} title="New API token">
        {create.data ? (
          <div className="space-y-3 text-sm">
            <p className="font-medium text-amber-800">Copy it now: it is shown only once, and only its hash is kept.</p>
            <div className="flex items-center gap-2">
              <pre data-testid="new-token" className="palette-fixed flex-1 break-all whitespace-pre-wrap rounded-md bg-slate-900 p-3 font-mono text-xs text-slate-100">
                {create.data.token}
              </pre>
              <CopyButton text={create.data.token} />
            </div>
            <div className="flex justify-end">
              <Button onClick={() => setOpen(false)}>Done</Button>
            </div>
          </div>
        ) : (
          <form
            className="space-y-3 text-sm"
            onSubmit={(e) => {
              e.preventDefault();
              create.mutate({ name, role, expiresInDays: days ? Number(days) : undefined });
            }}
          >
            <label className="block space-y-1">
              <span className="font-medium">Name</span>
              <Input value={name} onChange={(e) => setName(e.target.value)} required placeholder="ci-deploy" className="w-full" autoFocus />
            </label>
            <div className="grid grid-cols-2 gap-3">
              <label className="block space-y-1">
                <span className="font-medium">Role</span>
                <Select value={role} onChange={(e) => setRole(e.target.value as Role)} className="w-full">
                  {TOKEN_CHOICES.map(({ value }) => (
                    <option key={value} value={value} disabled={!roleAtLeast(mine, value)}>
                      {value}
                    </option>
                  ))}
                </Select>
              </label>
              <label className="block space-y-1">
                <span className="font-medium">Expires after (days)</span>
                <Input type="number" min={1} max={3650} value={days} onChange={(e) => setDays(e.target.value)} placeholder="never" className="w-full" />
              </label>
            </div>
            <ErrorNote error={create.error} />
            <div className="flex justify-end gap-2">
              <Button onClick={() => setOpen(false)}>Cancel</Button>
              <Button type="submit" variant="primary" disabled={create.isPending}>
                {create.isPending ? "Creating…" : "Create token"}
              </Button>
            </div>
          </form>
        )}
      </Dialog>
    </div>
  );
}
