"use client";

import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";
import { Button, ConfirmDialog, ErrorNote, toast } from "./ui";

/** Users page: an admin removes a user's authenticator app (a lost phone), after asking. Shown only for users who have one. */
export function FactorResetButton({ user }: { user: { id: string; email: string } }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const enrolled = useQuery(trpc.twoFactor.enrolled.queryOptions());
  const [asking, setAsking] = useState(false);
  const reset = useMutation(
    trpc.twoFactor.reset.mutationOptions({
      onSuccess: async (r) => {
        setAsking(false);
        toast({ tone: "ok", title: `Second factor of ${user.email} reset`, details: [`${r.sessionsRevoked} ${r.sessionsRevoked === 1 ? "session" : "sessions"} signed out`] });
        await queryClient.invalidateQueries(trpc.twoFactor.enrolled.queryFilter());
      },
    }),
  );
  if (!enrolled.data?.includes(user.id)) return null;
  return (
    <>
      <Button className="whitespace-nowrap py-1" onClick={() => setAsking(true)} aria-label={`Reset second factor of ${user.email}`}>
        Reset 2FA
      </Button>
      <ConfirmDialog open={asking} onClose={() => setAsking(false)} title={`Reset the second factor of ${user.email}?`} confirmLabel="Reset second factor" onConfirm={() => reset.mutate({ userId: user.id })}>
        Their authenticator app and recovery codes stop working and their sessions end; they sign in with the password and set up a new one (their role may require it).
        <ErrorNote error={reset.error} />
      </ConfirmDialog>
    </>
  );
}
