"use client";

import { useEffect } from "react";
import { useRouter } from "next/navigation";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";

/**
 * A user whose role requires a second factor and who has none is sent to their profile page to set
 * one up (the server refuses everything else until then: two-factor/enrolment-gate.ts).
 */
export function useEnrolmentFirst(pathname: string): void {
  const trpc = useTRPC();
  const router = useRouter();
  const status = useQuery(trpc.twoFactor.status.queryOptions());
  const mustEnrol = status.data?.mustEnrol === true;
  useEffect(() => {
    if (mustEnrol && !pathname.startsWith("/profile")) router.replace("/profile");
  }, [mustEnrol, pathname, router]);
}
