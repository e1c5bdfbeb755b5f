"use client";

import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";
import { ALL_HOSTS, type GrantRole } from "../../server/access/roles";
import { Badge, Button, Dialog, ErrorNote, Input, Select } from "./ui";

const GROUP_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** Host groups as badges; "no groups" is said rather than left blank. */
export function GroupBadges({ groups, empty = "no groups" }: { groups: string[]; empty?: string }) {
  if (groups.length === 0) return <span className="text-xs text-slate-500">{empty}</span>;
  return (
    <span className="inline-flex flex-wrap gap-1">
      {groups.map((g) => (
        <Badge key={g} tone="sky">
          {g}
        </Badge>
      ))}
    </span>
  );
}

/**
 * Chooses a set of host groups: the ones in use as checkboxes, plus a box to name a new one.
 * Used for a host's groups and for a user's grants.
 */
function GroupPicker({ value, onChange, label }: { value: string[]; onChange: (groups: string[]) => void; label: string }) {
  const trpc = useTRPC();
  const known = useQuery(trpc.hosts.groups.queryOptions());
  const [draft, setDraft] = useState("");
  const name = draft.trim().toLowerCase();
  const valid = GROUP_NAME.test(name);
  const choices = [...new Set([...(known.data?.map((g) => g.name) ?? []), ...value])].sort();
  const add = () => {
    if (!valid) return;
    onChange([...new Set([...value, name])].sort());
    setDraft("");
  };
  return (
    <fieldset className="space-y-3">
      <legend className="text-sm font-medium">{label}</legend>
      {choices.length === 0 && <p className="text-sm text-slate-500">No groups yet: name the first one below.</p>}
      <div className="grid grid-cols-2 gap-1.5 sm:grid-cols-3">
        {choices.map((g) => (
          <label key={g} className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={value.includes(g)} onChange={(e) => onChange(e.target.checked ? [...value, g].sort() : value.filter((x) => x !== g))} />
            {g}
            {known.data && <span className="text-xs text-slate-500">{known.data.find((k) => k.name === g)?.hosts ?? 0} hosts</span>}
          </label>
        ))}
      </div>
      <div className="flex items-center gap-2">
        <Input
          aria-label="New group name"
          placeholder="new group, e.g. staging"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              add();
            }
          }}
          className="w-56"
        />
        <Button onClick={add} disabled={!valid}>
          Add
        </Button>
        {draft && !valid && <span className="text-xs text-red-700">letters, digits, . _ -; up to 63</span>}
      </div>
    </fieldset>
  );
}

/** An admin's editor for one host's groups. */
export function HostGroupsDialog({ host, open, onClose }: { host: { id: string; name: string; groups: string[] }; open: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [groups, setGroups] = useState(host.groups);
  const save = useMutation(
    trpc.hosts.setGroups.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.hosts.pathKey() });
        onClose();
      },
    }),
  );
  return (
    <Dialog open={open} onClose={onClose} title={`Groups of ${host.name}`}>
      {open && (
        <div className="space-y-4">
          <GroupPicker label="This host is in" value={groups} onChange={setGroups} />
          <p className="text-xs text-slate-500">Users with a grant on a group are operators on its hosts from their next request.</p>
          <ErrorNote error={save.error} />
          <div className="flex justify-end gap-2">
            <Button onClick={onClose}>Cancel</Button>
            <Button variant="primary" disabled={save.isPending} onClick={() => save.mutate({ hostId: host.id, groups })}>
              {save.isPending ? "Saving…" : "Save groups"}
            </Button>
          </div>
        </div>
      )}
    </Dialog>
  );
}


/**
 * An admin's editor for one user's grants: per group (or every host), operator, or operator with
 * terminals (remote root: a permission of its own), or reading logs only (they often hold secrets).
 */
export function UserGrantsDialog({ user, open, onClose }: { user: { id: string; email: string; role: string; grants: { group: string; role: string }[] }; open: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const known = useQuery(trpc.hosts.groups.queryOptions());
  const [grants, setGrants] = useState<Record<string, GrantRole>>(() => Object.fromEntries(user.grants.map((g) => [g.group, g.role as GrantRole])));
  const [draft, setDraft] = useState("");
  const name = draft.trim().toLowerCase();
  const save = useMutation(
    trpc.users.setGrants.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.hosts.groups.queryKey() });
        onClose();
      },
    }),
  );
  const groups = [ALL_HOSTS, ...new Set([...(known.data?.map((g) => g.name) ?? []), ...Object.keys(grants).filter((g) => g !== ALL_HOSTS)].sort())];
  const set = (group: string, role: GrantRole | "") =>
    setGrants((prev) => {
      const next = { ...prev };
      if (role) next[group] = role;
      else delete next[group];
      return next;
    });
  return (
    <Dialog open={open} onClose={onClose} title={`Grants of ${user.email}`}>
      {open && (
        <div className="space-y-4">
          <p className="text-sm text-slate-600">
            {user.role === "none" ? (
              <>
                {user.email} has <strong>no access</strong> fleet-wide: they see only the hosts of the groups granted here.
              </>
            ) : (
              <>
                {user.email} is <strong>{user.role}</strong> on every host{user.role === "admin" ? ", with terminals" : ""}. A grant adds to that on the hosts of a group.
              </>
            )}
          </p>
          <table className="w-full text-sm">
            <tbody className="divide-y divide-slate-100">
              {groups.map((g) => (
                <tr key={g}>
                  <td className="py-1.5 pr-3">
                    {g === ALL_HOSTS ? <em>All hosts</em> : g}
                    {g !== ALL_HOSTS && known.data && <span className="ml-2 text-xs text-slate-500">{known.data.find((k) => k.name === g)?.hosts ?? 0} hosts</span>}
                  </td>
                  <td className="py-1.5">
                    <Select aria-label={`Grant on ${g === ALL_HOSTS ? "all hosts" : g}`} value={grants[g] ?? ""} onChange={(e) => set(g, e.target.value as GrantRole | "")} className="py-1">
                      <option value="">no grant</option>
                      <option value="viewer">viewer</option>
                      <option value="logs">viewer + logs</option>
                      <option value="operator">operator (+ logs)</option>
                      <option value="terminal">operator + terminal</option>
                    </Select>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="flex items-center gap-2">
            <Input aria-label="Grant on a new group" placeholder="another group, e.g. staging" value={draft} onChange={(e) => setDraft(e.target.value)} className="w-56" />
            <Button
              disabled={!GROUP_NAME.test(name)}
              onClick={() => {
                set(name, grants[name] ?? "operator");
                setDraft("");
              }}
            >
              Add
            </Button>
          </div>
          <ErrorNote error={save.error} />
          <div className="flex justify-end gap-2">
            <Button onClick={onClose}>Cancel</Button>
            <Button variant="primary" disabled={save.isPending} onClick={() => save.mutate({ userId: user.id, grants: Object.entries(grants).map(([group, role]) => ({ group, role })) })}>
              {save.isPending ? "Saving…" : "Save grants"}
            </Button>
          </div>
        </div>
      )}
    </Dialog>
  );
}
