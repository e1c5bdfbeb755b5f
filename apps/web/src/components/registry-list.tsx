"use client";

import { useState } from "react";
import { useInfiniteQuery, useMutation, useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../server/trpc/root";
import { useTRPC } from "@/lib/trpc";
import { bytes } from "@/lib/format";
import { useInvalidate } from "@/lib/invalidate";
import { useCanOperateSomewhere } from "./container-actions";
import { ImagePullDialog } from "./image-pull-dialog";
import { RegistryDialog } from "./registry-dialog";
import { Badge, Button, Card, ConfirmDialog, CopyButton, ErrorNote, Input, RelativeTime, Spinner, TargetList, toast, useNow } from "./ui";

type Registry = inferRouterOutputs<AppRouter>["registries"]["list"][number];

/** Registries admins added; anyone browses their repositories and tags and (operators) pulls from there. */
export function RegistryList() {
  const trpc = useTRPC();
  const me = useQuery(trpc.me.get.queryOptions());
  const registries = useQuery(trpc.registries.list.queryOptions());
  const isAdmin = me.data?.role === "admin";
  const [editing, setEditing] = useState<Registry | "new" | null>(null);
  const [browsing, setBrowsing] = useState<string | null>(null);
  const [removing, setRemoving] = useState<Registry | null>(null);
  const remove = useMutation(trpc.registries.remove.mutationOptions());
  const invalidate = useInvalidate("registries");
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
                {isAdmin && (
                  <Button variant="danger" onClick={() => setRemoving(r)} aria-label={`Remove ${r.name}`}>
                    Remove
                  </Button>
                )}
              </span>
            </div>
            {shown?.id === r.id && <RegistryBrowser registry={r} />}
          </Card>
        ))}
      </div>
      {editing && <RegistryDialog registry={editing === "new" ? null : editing} onClose={() => setEditing(null)} />}
      <ConfirmDialog
        open={removing !== null}
        onClose={() => setRemoving(null)}
        title={removing ? `Remove ${removing.name}?` : "Remove registry"}
        confirmLabel={removing ? `Remove ${removing.name}` : "Remove"}
        onConfirm={() => {
          const r = removing!;
          setRemoving(null);
          remove.mutateAsync({ id: r.id }).then(
            () => {
              toast({ tone: "ok", title: `Removed ${r.name}`, details: ["Its stored credentials are deleted; images already pulled stay on their hosts."] });
              void invalidate();
            },
            (err: Error) => toast({ tone: "error", title: `Could not remove ${r.name}`, details: [err.message] }),
          );
        }}
      >
        {removing && (
          <>
            <TargetList label="Registry to remove" items={[{ key: removing.id, name: removing.name, detail: removing.address }]} />
            <p>
              {removing.hasPassword ? "Its stored credentials are deleted, and pulls" : "Pulls"} from {removing.address} then go without credentials, which a private registry refuses.
            </p>
          </>
        )}
      </ConfirmDialog>
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

/** Tags are described (digest, size, date) a page at a time: each costs the registry a few requests. */
const TAG_PAGE = 25;

function RepositoryTags({ registry, repository }: { registry: Registry; repository: string }) {
  const trpc = useTRPC();
  const tags = useQuery(trpc.registries.tags.queryOptions({ id: registry.id, repository }));
  const mayPull = useCanOperateSomewhere();
  const [pulling, setPulling] = useState<string | null>(null);
  const [pages, setPages] = useState(1);
  const [filter, setFilter] = useState("");
  const prefix = registry.address === "docker.io" ? "" : `${registry.address}/`;
  const all = (tags.data?.tags ?? []).filter((t) => t.toLowerCase().includes(filter.trim().toLowerCase()));
  const shown = all.slice(0, pages * TAG_PAGE);
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 className="font-mono text-sm font-medium break-all">{repository}</h3>
        {tags.data && tags.data.tags.length > 5 && <Input type="search" aria-label="Filter tags" placeholder="Filter tags…" value={filter} onChange={(e) => setFilter(e.target.value)} className="w-40" />}
      </div>
      <ErrorNote error={tags.error} />
      {tags.isPending && <Spinner label="Reading tags…" />}
      <ul className="max-h-96 divide-y divide-slate-100 overflow-auto rounded-md border border-slate-200 text-sm" aria-label={`Tags of ${repository}`}>
        {Array.from({ length: Math.ceil(shown.length / TAG_PAGE) }, (_, i) => (
          <TagPage key={`${filter}:${i}`} registry={registry} repository={repository} tags={shown.slice(i * TAG_PAGE, (i + 1) * TAG_PAGE)} mayPull={mayPull} onPull={(t) => setPulling(`${prefix}${repository}:${t}`)} />
        ))}
        {tags.data && all.length === 0 && <li className="px-3 py-2 text-slate-500">{tags.data.tags.length === 0 ? "No tags." : "No tag matches."}</li>}
      </ul>
      {all.length > shown.length && (
        <Button onClick={() => setPages((p) => p + 1)}>
          {TAG_PAGE} more of {all.length - shown.length}
        </Button>
      )}
      {pulling && <ImagePullDialog open initialReference={pulling} onClose={() => setPulling(null)} />}
    </div>
  );
}

/** Up to 25 tags with what their manifests say: digest, download size, build date, platforms. */
function TagPage({ registry, repository, tags, mayPull, onPull }: { registry: Registry; repository: string; tags: string[]; mayPull: boolean; onPull: (tag: string) => void }) {
  const trpc = useTRPC();
  const now = useNow(30_000);
  const details = useQuery({ ...trpc.registries.tagDetails.queryOptions({ id: registry.id, repository, tags }), staleTime: 60_000 });
  const byTag = new Map(details.data?.tags.map((d) => [d.tag, d]));
  return (
    <>
      {tags.map((t) => {
        const d = byTag.get(t);
        return (
          <li key={t} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-3 py-1.5" data-testid="registry-tag" data-tag={t}>
            <code className="min-w-16 font-medium">{t}</code>
            {details.isPending && <span className="text-xs text-slate-500">reading…</span>}
            {d?.digest && (
              <span className="font-mono text-xs text-slate-600" title={d.digest} data-testid="tag-digest">
                {d.digest.slice(7, 19)} <CopyButton text={`${repository}@${d.digest}`} label="Copy digest" />
              </span>
            )}
            {d?.sizeBytes != null && (
              <span className="text-xs text-slate-600" title={d.platform ? `of ${d.platform}: what a pull downloads` : "what a pull downloads"} data-testid="tag-size">
                {bytes(d.sizeBytes)}
              </span>
            )}
            {d?.createdAt != null && (
              <span className="text-xs text-slate-600" data-testid="tag-created">
                built <RelativeTime at={d.createdAt} now={now} />
              </span>
            )}
            {d?.platforms && d.platforms.length > 0 && <Badge title={d.platforms.join(", ")}>{d.platforms.length} platforms</Badge>}
            {d?.error && <span className="text-xs text-red-800">{d.error}</span>}
            {mayPull && (
              <Button variant="ghost" className="ml-auto py-0.5 text-xs" onClick={() => onPull(t)} aria-label={`Pull ${repository}:${t}`}>
                Pull…
              </Button>
            )}
          </li>
        );
      })}
      {details.error && (
        <li className="px-3 py-1.5">
          <ErrorNote error={details.error} />
        </li>
      )}
    </>
  );
}
