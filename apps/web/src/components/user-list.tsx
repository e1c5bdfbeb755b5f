"use client";

import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";
import { Button, Card, ErrorNote, Input, Select, Spinner, useNow } from "./ui";
import { type UserAction, UserActionDialog } from "./user-action-dialog";
import { UserAddDialog } from "./user-add-dialog";
import { ROLE_CHOICES, type UserView } from "./user-roles";
import { UserRow } from "./user-row";

/** The Users page: admins only (the server refuses everyone else on every users procedure). */
export function UserList() {
  const trpc = useTRPC();
  const me = useQuery(trpc.me.get.queryOptions());
  if (me.isPending) return <Spinner label="Loading…" />;
  if (me.error) return <ErrorNote error={me.error} />;
  if (me.data?.role !== "admin") {
    return (
      <Card>
        <div className="space-y-1 p-6 text-sm">
          <h1 className="text-base font-semibold">Users</h1>
          <p className="text-slate-600">Only admins manage users. You are signed in as {me.data?.role}; ask an admin to add someone or change a role.</p>
        </div>
      </Card>
    );
  }
  return <UserDirectory selfId={me.data.id} />;
}

function matches(u: UserView, text: string, role: string): boolean {
  if (role && u.role !== role) return false;
  if (!text) return true;
  return [u.email, u.name, u.role, u.disabled ? "disabled" : "active"].some((field) => field.toLowerCase().includes(text));
}

function UserDirectory({ selfId }: { selfId: string }) {
  const trpc = useTRPC();
  const users = useQuery(trpc.users.list.queryOptions());
  const [filter, setFilter] = useState("");
  const [roleFilter, setRoleFilter] = useState("");
  const [adding, setAdding] = useState(false);
  const [acting, setActing] = useState<{ user: UserView; action: UserAction } | null>(null);
  const now = useNow(30_000);
  const text = filter.trim().toLowerCase();
  const shown = users.data?.filter((u) => matches(u, text, roleFilter));
  const disabledCount = users.data?.filter((u) => u.disabled).length ?? 0;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="flex items-baseline gap-3">
          <h1 className="text-xl font-semibold">Users</h1>
          {users.data && (
            <span className="text-sm text-slate-500">
              {users.data.length} {users.data.length === 1 ? "user" : "users"}
              {disabledCount > 0 && `, ${disabledCount} disabled`}
            </span>
          )}
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <Input type="search" aria-label="Filter users" placeholder="Filter by email, name or role…" value={filter} onChange={(e) => setFilter(e.target.value)} className="w-full sm:w-72" />
          <Select aria-label="Role" value={roleFilter} onChange={(e) => setRoleFilter(e.target.value)}>
            <option value="">All roles</option>
            {ROLE_CHOICES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.value}
              </option>
            ))}
          </Select>
          <Button variant="primary" onClick={() => setAdding(true)}>
            Add user
          </Button>
        </div>
      </div>
      <ErrorNote error={users.error} />
      <Card>
        <div className="overflow-x-auto">
          <table className="table-cards w-full text-left text-sm">
            <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th className="px-4 py-2 font-medium">Email</th>
                <th className="px-4 py-2 font-medium">Name</th>
                <th className="px-4 py-2 font-medium">Role</th>
                <th className="px-4 py-2 font-medium" title="Operator on the hosts of these groups, on top of the role">
                  Grants
                </th>
                <th className="px-4 py-2 font-medium">Status</th>
                <th className="px-4 py-2 font-medium">Created</th>
                <th className="px-4 py-2 font-medium" title="The latest activity of a session that is still open">
                  Last session
                </th>
                <th className="px-4 py-2 font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {shown?.map((u) => <UserRow key={u.id} user={u} isSelf={u.id === selfId} now={now} onAction={(action) => setActing({ user: u, action })} />)}
            </tbody>
          </table>
        </div>
        {users.isPending && (
          <div className="p-6">
            <Spinner label="Loading users…" />
          </div>
        )}
        {shown?.length === 0 && <p className="p-6 text-sm text-slate-500">No user matches these filters.</p>}
      </Card>
      <UserAddDialog open={adding} onClose={() => setAdding(false)} />
      <UserActionDialog target={acting} onClose={() => setActing(null)} />
    </div>
  );
}
