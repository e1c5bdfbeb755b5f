"use client";

import { useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";
import { Button, Dialog, Input, Select, Spinner } from "./ui";
import { DialogAutofocus } from "./user-dialog-autofocus";
import { UserErrorNote } from "./user-error-note";
import { UserPasswordReveal } from "./user-password-reveal";
import { ROLE_CHOICES, type UserRole } from "./user-roles";

/** "Add user": the admin picks the password, or leaves it empty and gets a generated one, shown once. */
export function UserAddDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog open={open} onClose={onClose} title="Add user">
      {/* Mounted only while open, so every opening starts from an empty form and forgets the last password. */}
      {open && <AddUserForm onClose={onClose} />}
    </Dialog>
  );
}

function AddUserForm({ onClose }: { onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const create = useMutation(
    trpc.users.create.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() }) }),
  );
  const [role, setRole] = useState<UserRole>("viewer");

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const password = String(form.get("password") ?? "");
    create.mutate({ email: String(form.get("email")), name: String(form.get("name")), role, password: password || undefined });
  }

  if (create.data) {
    const { user, generatedPassword } = create.data;
    return (
      <div className="space-y-4 text-sm">
        <p role="status">
          <span className="font-medium">{user.email}</span> was added as <span className="font-medium">{user.role}</span>.{" "}
          {generatedPassword ? "Give them this password:" : "They sign in with the password you set."}
        </p>
        {generatedPassword && <UserPasswordReveal email={user.email} password={generatedPassword} />}
        <div className="flex justify-end">
          <Button variant="primary" onClick={onClose} autoFocus>
            Done
          </Button>
        </div>
      </div>
    );
  }

  return (
    <form onSubmit={submit} className="space-y-4 text-sm">
      <div className="grid gap-4 sm:grid-cols-2">
        <label className="block space-y-1">
          <span className="font-medium">Email</span>
          <DialogAutofocus>
            <Input name="email" type="email" required maxLength={254} autoComplete="off" className="w-full" />
          </DialogAutofocus>
        </label>
        <label className="block space-y-1">
          <span className="font-medium">Name</span>
          <Input name="name" required maxLength={100} autoComplete="off" className="w-full" />
        </label>
      </div>
      <label className="block space-y-1">
        <span className="font-medium">Role</span>
        <Select name="role" value={role} onChange={(e) => setRole(e.target.value as UserRole)} className="w-full">
          {ROLE_CHOICES.map((r) => (
            <option key={r.value} value={r.value}>
              {r.value} — {r.description}
            </option>
          ))}
        </Select>
      </label>
      <label className="block space-y-1">
        <span className="font-medium">
          Password <span className="font-normal text-slate-500">(optional)</span>
        </span>
        {/* new-password keeps the browser from filling in the admin's own saved password. */}
        <Input name="password" type="password" minLength={12} maxLength={128} autoComplete="new-password" aria-describedby="new-user-password-hint" className="w-full" />
        <span id="new-user-password-hint" className="block text-slate-500">
          At least 12 characters. Leave it empty to have a strong password generated; it is shown once, right after the user is added.
        </span>
      </label>
      <UserErrorNote error={create.error} />
      <div className="flex items-center justify-end gap-2">
        {create.isPending && <Spinner label="Adding the user…" />}
        <Button onClick={onClose} disabled={create.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" disabled={create.isPending}>
          Add user
        </Button>
      </div>
    </form>
  );
}
