import { useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "./trpc";

/** After a change, a domain's queries refetch at once instead of at their next poll. */
export function useInvalidate(domain: "images" | "registries") {
  const trpc = useTRPC();
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: trpc[domain].pathKey() });
}
