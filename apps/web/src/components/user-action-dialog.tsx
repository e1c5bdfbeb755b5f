"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";
import { Button, Dialog, Spinner } from "./ui";
import { DialogAutofocus } from "./user-dialog-autofocus";
import { UserErrorNote } from "./user-error-note";
import { UserPasswordReveal } from "./user-password-reveal";
import type { UserView } from "./user-roles";

export type UserAction = "disable" | "enable" | "reset-password";

const WORDING: Record<UserAction, { title: string; confirm: string; busy: string; explain: (email: string) => string }> = {
  disable: {
    title: "Disable user",
    confirm: "Disable",
    busy: "Disabling…",
    explain: (email) => `Disable ${email}? They are signed out at once and cannot sign in until an admin enables them again.`,
  },
  enable: {
    title: "Enable user",
    confirm: "Enable",
    busy: "Enabling…",
    explain: (email) => `Enable ${email}? They can sign in again with their current password.`,
  },
  "reset-password": {
    title: "Reset password",
    confirm: "Reset password",
    busy: "Resetting…",
    explain: (email) => `Reset the password of ${email}? Their current password stops working and they are signed out. You get a new password to hand over, shown once.`,
  },
};

/** Asks before disabling, enabling or resetting a password; a reset then shows the new password once. */
export function UserActionDialog({ target, onClose }: { target: { user: UserView; action: UserAction } | null; onClose: () => void }) {
  return (
    <Dialog open={target !== null} onClose={onClose} title={target ? WORDING[target.action].title : "User"}>
      {/* Mounted only while open: the mutation (and a shown password) is gone once the dialog closes. */}
      {target && <Confirmation user={target.user} action={target.action} onClose={onClose} />}
    </Dialog>
  );
}

function Confirmation({ user, action, onClose }: { user: UserView; action: UserAction; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invalidate = { onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() }) };
  const disable = useMutation(trpc.users.disable.mutationOptions(invalidate));
  const enable = useMutation(trpc.users.enable.mutationOptions(invalidate));
  const reset = useMutation(trpc.users.resetPassword.mutationOptions(invalidate));
  const mutation = { disable, enable, "reset-password": reset }[action];
  const wording = WORDING[action];

  if (reset.data) {
    return (
      <div className="space-y-4 text-sm">
        <p role="status">
          The old password no longer works
          {reset.data.sessionsRevoked > 0 && `, and ${user.email} was signed out of ${reset.data.sessionsRevoked} ${reset.data.sessionsRevoked === 1 ? "session" : "sessions"}`}.
        </p>
        <UserPasswordReveal email={user.email} password={reset.data.generatedPassword} />
        <div className="flex justify-end">
          <Button variant="primary" onClick={onClose} autoFocus>
            Done
          </Button>
        </div>
      </div>
    );
  }

  function confirm() {
    const input = { userId: user.id };
    if (action === "disable") disable.mutate(input, { onSuccess: onClose });
    else if (action === "enable") enable.mutate(input, { onSuccess: onClose });
    else reset.mutate(input);
  }

  return (
    <div className="space-y-4 text-sm">
      <p>{wording.explain(user.email)}</p>
      <UserErrorNote error={mutation.error} />
      <div className="flex items-center justify-end gap-2">
        {mutation.isPending && <Spinner label={wording.busy} />}
        <DialogAutofocus>
          <Button onClick={onClose} disabled={mutation.isPending}>
            Cancel
          </Button>
        </DialogAutofocus>
        <Button variant={action === "enable" ? "primary" : "danger"} onClick={confirm} disabled={mutation.isPending}>
          {wording.confirm}
        </Button>
      </div>
    </div>
  );
}
