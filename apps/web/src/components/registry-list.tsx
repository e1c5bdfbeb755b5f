"use client";

import { useState } from "react";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../server/trpc/root";
import { useTRPC } from "@/lib/trpc";
import { useCanOperateSomewhere } from "./container-actions";
import { ImagePullDialog } from "./image-pull-dialog";
import { RegistryDialog } from "./registry-dialog";
import { Badge, Button, Card, ErrorNote, Input, Spinner } from "./ui";

type Registry = inferRouterOutputs<AppRouter>["registries"]["list"][number];

/** Registries admins added; anyone browses their repositories and tags and (operators) pulls from there. */
export function RegistryList() {
  const trpc = useTRPC();
  const me = useQuery(trpc.me.get.queryOptions());
  const registries = useQuery(trpc.registries.list.queryOptions());
  const isAdmin = me.data?.role === "admin";
  const [editing, setEditing] = useState<Registry | "new" | null>(null);
  const [browsing, setBrowsing] = useState<string | null>(null);
  const shown = registries.data?.find((r) => r.id === browsing) ?? null;
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-xl font-semibold">Registries</h1>
        {isAdmin && (
          <Button variant="primary" onClick={() => setEditing("new")}>
            Add registry
          </Button>
        )}
      </div>
      <ErrorNote error={registries.error} />
      {registries.isPending && <Spinner label="Loading registries…" />}
      {registries.data?.length === 0 && (
        <Card>
          <p className="p-6 text-sm text-slate-600">
            No registries yet. Public images pull without one; {isAdmin ? "add a private registry with its credentials to pull from it." : "an admin adds private ones."}
          </p>
        </Card>
      )}
      <div className="grid gap-3">
        {registries.data?.map((r) => (
          <Card key={r.id}>
            <div className="flex flex-wrap items-center gap-3 p-4" data-testid="registry-card">
              <h2 className="font-semibold">{r.name}</h2>
              <code className="text-sm text-slate-600">{r.address}</code>
              {r.insecure && <Badge tone="amber">plain HTTP</Badge>}
              <Badge tone={r.hasPassword ? "green" : "slate"}>{r.hasPassword ? `credentials stored${r.username ? ` (${r.username})` : ""}` : "no credentials"}</Badge>
              <span className="ml-auto flex gap-2">
                <Button onClick={() => setBrowsing(browsing === r.id ? null : r.id)} aria-expanded={browsing === r.id}>
                  {browsing === r.id ? "Hide repositories" : "Browse"}
                </Button>
                {isAdmin && <Button onClick={() => setEditing(r)}>Edit</Button>}
              </span>
            </div>
            {shown?.id === r.id && <RegistryBrowser registry={r} />}
          </Card>
        ))}
      </div>
      {editing && <RegistryDialog registry={editing === "new" ? null : editing} onClose={() => setEditing(null)} />}
    </div>
  );
}

function RegistryBrowser({ registry }: { registry: Registry }) {
  const trpc = useTRPC();
  const [filter, setFilter] = useState("");
  const [repository, setRepository] = useState<string | null>(null);
  const repos = useInfiniteQuery(
    trpc.registries.repositories.infiniteQueryOptions({ id: registry.id }, { getNextPageParam: (page) => page.next ?? undefined }),
  );
  const all = (repos.data?.pages.flatMap((p) => p.repositories) ?? []).filter((r) => r.includes(filter.trim().toLowerCase()));
  return (
    <div className="grid gap-4 border-t border-slate-100 p-4 md:grid-cols-2">
      <div className="space-y-2">
        <Input type="search" aria-label="Filter repositories" placeholder="Filter repositories…" value={filter} onChange={(e) => setFilter(e.target.value)} className="w-full" />
        <ErrorNote error={repos.error} />
        {repos.isPending && <Spinner label="Reading the catalog…" />}
        <ul className="max-h-80 divide-y divide-slate-100 overflow-auto rounded-md border border-slate-200 text-sm" aria-label="Repositories">
          {all.map((r) => (
            <li key={r}>
              <button type="button" className={`w-full px-3 py-1.5 text-left font-mono text-xs hover:bg-slate-50 ${repository === r ? "bg-sky-50" : ""}`} onClick={() => setRepository(r)} aria-pressed={repository === r}>
                {r}
              </button>
            </li>
          ))}
          {repos.data && all.length === 0 && <li className="px-3 py-2 text-slate-500">No repository matches.</li>}
        </ul>
        {repos.hasNextPage && (
          <Button onClick={() => void repos.fetchNextPage()} disabled={repos.isFetchingNextPage}>
            {repos.isFetchingNextPage ? "Loading…" : "More repositories"}
          </Button>
        )}
      </div>
      <div>{repository ? <RepositoryTags registry={registry} repository={repository} /> : <p className="text-sm text-slate-500">Choose a repository to see its tags.</p>}</div>
    </div>
  );
}

function RepositoryTags({ registry, repository }: { registry: Registry; repository: string }) {
  const trpc = useTRPC();
  const tags = useQuery(trpc.registries.tags.queryOptions({ id: registry.id, repository }));
  const mayPull = useCanOperateSomewhere();
  const [pulling, setPulling] = useState<string | null>(null);
  const prefix = registry.address === "docker.io" ? "" : `${registry.address}/`;
  return (
    <div className="space-y-2">
      <h3 className="font-mono text-sm font-medium">{repository}</h3>
      <ErrorNote error={tags.error} />
      {tags.isPending && <Spinner label="Reading tags…" />}
      <ul className="max-h-80 divide-y divide-slate-100 overflow-auto rounded-md border border-slate-200 text-sm" aria-label={`Tags of ${repository}`}>
        {tags.data?.tags.map((t) => (
          <li key={t} className="flex items-center gap-2 px-3 py-1.5">
            <code className="flex-1 text-xs">{t}</code>
            {mayPull && (
              <Button variant="ghost" className="py-0.5 text-xs" onClick={() => setPulling(`${prefix}${repository}:${t}`)} aria-label={`Pull ${repository}:${t}`}>
                Pull…
              </Button>
            )}
          </li>
        ))}
        {tags.data?.tags.length === 0 && <li className="px-3 py-2 text-slate-500">No tags.</li>}
      </ul>
      {pulling && <ImagePullDialog open initialReference={pulling} onClose={() => setPulling(null)} />}
    </div>
  );
}

