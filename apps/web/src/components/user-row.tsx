"use client";

import { useState } from "react";
import { GroupBadges, UserGrantsDialog } from "./group-picker";
import { FactorResetButton } from "./factor-reset-button";
import { Badge, Button, RelativeTime } from "./ui";
import type { UserAction } from "./user-action-dialog";
import { UserRoleEditor } from "./user-role-editor";
import type { UserView } from "./user-roles";

export function UserRow({ user, isSelf, now, onAction }: { user: UserView; isSelf: boolean; now: number; onAction: (action: UserAction) => void }) {
  const [editingGrants, setEditingGrants] = useState(false);
  return (
    <tr data-testid="user-row" data-email={user.email} className="hover:bg-slate-50">
      <td data-card="title" className="px-4 py-2 font-medium">
        {user.email}
        {isSelf && <span className="ml-1.5 text-xs font-normal text-slate-500">(you)</span>}
      </td>
      <td data-label="Name" className="px-4 py-2">{user.name}</td>
      <td data-label="Role" className="px-4 py-2">
        {/* Keyed by the saved role, so an unsaved choice is dropped when the server's answer arrives. */}
        <UserRoleEditor key={user.role} user={user} isSelf={isSelf} />
      </td>
      <td data-label="Grants" className="px-4 py-2">
        <div className="flex items-center gap-2">
          <span data-testid="user-grants">
            <GroupBadges groups={user.grants.map((g) => `${g.group === "*" ? "all hosts" : g.group}${g.role === "terminal" ? " + terminal" : g.role === "logs" ? " (logs)" : g.role === "viewer" ? " (viewer)" : ""}`)} empty="—" />
          </span>
          <Button variant="ghost" className="py-1 text-xs" onClick={() => setEditingGrants(true)} aria-label={`Edit the grants of ${user.email}`}>
            Edit
          </Button>
        </div>
        <UserGrantsDialog key={String(editingGrants)} user={user} open={editingGrants} onClose={() => setEditingGrants(false)} />
      </td>
      <td data-label="Status" className="px-4 py-2">{user.disabled ? <Badge tone="red">disabled</Badge> : <Badge tone="green">active</Badge>}</td>
      <td data-label="Created" className="whitespace-nowrap px-4 py-2 text-slate-600">
        <RelativeTime at={user.createdAt.getTime()} now={now} />
      </td>
      <td data-label="Last session" className="whitespace-nowrap px-4 py-2 text-slate-600">
        <RelativeTime at={user.lastSessionAt?.getTime() ?? null} now={now} />
      </td>
      <td className="px-4 py-2">
        <div className="flex justify-end gap-2">
          {/* Your own account cannot be disabled from here (the server refuses it too). */}
          {!isSelf &&
            (user.disabled ? (
              <Button className="py-1" onClick={() => onAction("enable")} aria-label={`Enable ${user.email}`}>
                Enable
              </Button>
            ) : (
              <Button variant="danger" className="py-1" onClick={() => onAction("disable")} aria-label={`Disable ${user.email}`}>
                Disable
              </Button>
            ))}
          <Button className="whitespace-nowrap py-1" onClick={() => onAction("reset-password")} aria-label={`Reset password of ${user.email}`}>
            Reset password
          </Button>
          <FactorResetButton user={user} />
        </div>
      </td>
    </tr>
  );
}
