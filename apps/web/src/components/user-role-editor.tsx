"use client";

import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";
import { Badge, Button, Select, Spinner } from "./ui";
import { UserErrorNote } from "./user-error-note";
import { ROLE_CHOICES, type UserRole, type UserView } from "./user-roles";

/**
 * The role, changed inline. The choice is applied with "Save" rather than on change: arrow keys on a
 * closed <select> fire a change per step, which would demote an admin on the way to "viewer".
 */
export function UserRoleEditor({ user, isSelf }: { user: UserView; isSelf: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<UserRole>(user.role);
  const setRole = useMutation(
    trpc.users.setRole.mutationOptions({ onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() }) }),
  );

  if (isSelf) {
    return (
      <Badge tone="sky" title="Another admin can change your role">
        {user.role}
      </Badge>
    );
  }

  const changed = draft !== user.role;
  return (
    <div className="space-y-1">
      <div className="flex items-center gap-1.5">
        <Select
          aria-label={`Role of ${user.email}`}
          value={draft}
          disabled={setRole.isPending}
          onChange={(e) => {
            setRole.reset();
            setDraft(e.target.value as UserRole);
          }}
          className="py-1"
        >
          {ROLE_CHOICES.map((r) => (
            <option key={r.value} value={r.value} title={r.description}>
              {r.value}
            </option>
          ))}
        </Select>
        {changed && !setRole.isPending && (
          <>
            <Button variant="primary" className="py-1" onClick={() => setRole.mutate({ userId: user.id, role: draft }, { onError: () => setDraft(user.role) })}>
              Save
            </Button>
            <Button variant="ghost" className="py-1" onClick={() => setDraft(user.role)}>
              Cancel
            </Button>
          </>
        )}
        {setRole.isPending && <Spinner label="Saving…" />}
      </div>
      <UserErrorNote error={setRole.error} />
    </div>
  );
}
