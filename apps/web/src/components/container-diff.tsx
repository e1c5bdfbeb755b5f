"use client";

import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import type { FileChange } from "@stevedore/protocol";
import { useTRPC } from "@/lib/trpc";
import { Badge, Button, Card, ErrorNote, Input, Spinner } from "./ui";

interface Node {
  name: string;
  path: string;
  kind: FileChange["kind"] | null;
  children: Map<string, Node>;
}

const TONE = { added: "green", changed: "amber", deleted: "red" } as const;
const LETTER = { added: "A", changed: "C", deleted: "D" } as const;

/** The engine lists every changed path; as a tree they read like the writable layer they are. */
function buildTree(changes: FileChange[], filter: string): Node {
  const root: Node = { name: "/", path: "/", kind: null, children: new Map() };
  for (const c of changes) {
    if (filter && !c.path.toLowerCase().includes(filter)) continue;
    let node = root;
    for (const part of c.path.split("/").filter(Boolean)) {
      let child = node.children.get(part);
      if (!child) node.children.set(part, (child = { name: part, path: `${node.path === "/" ? "" : node.path}/${part}`, kind: null, children: new Map() }));
      node = child;
    }
    node.kind = c.kind;
  }
  return root;
}

function TreeNode({ node }: { node: Node }) {
  const label = (
    <span className="inline-flex items-center gap-2">
      {node.kind && (
        <Badge tone={TONE[node.kind]} title={node.kind}>
          {LETTER[node.kind]}
        </Badge>
      )}
      <span className={`font-mono text-xs ${node.kind === "deleted" ? "text-red-800 line-through" : ""}`}>{node.name}</span>
    </span>
  );
  if (node.children.size === 0) return <li className="py-0.5 pl-5">{label}</li>;
  return (
    <li>
      <details open className="py-0.5">
        <summary className="cursor-pointer">{label}</summary>
        <ul className="ml-2 border-l border-slate-200 pl-2">
          {[...node.children.values()].sort((a, b) => a.name.localeCompare(b.name)).map((c) => (
            <TreeNode key={c.path} node={c} />
          ))}
        </ul>
      </details>
    </li>
  );
}

/** `docker diff`: what the container's writable layer holds on top of its read-only image layers. */
export function ContainerDiff({ hostId, id }: { hostId: string; id: string }) {
  const trpc = useTRPC();
  const [shown, setShown] = useState(false);
  const [filter, setFilter] = useState("");
  const diff = useQuery({ ...trpc.containers.diff.queryOptions({ hostId, id }), enabled: shown });
  const changes = diff.data?.changes ?? [];
  const counts = { added: 0, changed: 0, deleted: 0 };
  for (const c of changes) counts[c.kind]++;
  const tree = buildTree(changes, filter.trim().toLowerCase());
  return (
    <Card
      title="Filesystem changes against the image"
      actions={
        shown ? (
          <Button variant="ghost" className="py-0.5 text-xs" onClick={() => void diff.refetch()} disabled={diff.isFetching}>
            {diff.isFetching ? "Reading…" : "Refresh"}
          </Button>
        ) : (
          <Button className="py-0.5 text-xs" onClick={() => setShown(true)}>
            Show changes
          </Button>
        )
      }
    >
      {shown && (
        <div className="space-y-3 p-4 text-sm" data-testid="container-diff">
          <ErrorNote error={diff.error} />
          {diff.isPending && <Spinner label="Asking the engine for the container's changes…" />}
          {diff.data && (
            <>
              <div className="flex flex-wrap items-center gap-3">
                <span>
                  <Badge tone="green">{counts.added} added</Badge> <Badge tone="amber">{counts.changed} changed</Badge> <Badge tone="red">{counts.deleted} deleted</Badge>
                </span>
                <Input type="search" aria-label="Filter paths" placeholder="Filter paths…" value={filter} onChange={(e) => setFilter(e.target.value)} className="ml-auto w-56" />
              </div>
              {diff.data.truncated && <p className="text-amber-800">Only the first 100,000 changes are shown.</p>}
              {changes.length === 0 ? (
                <p className="text-slate-500">No changes in the container's writable layer.</p>
              ) : (
                <ul className="max-h-96 overflow-auto">{[...tree.children.values()].sort((a, b) => a.name.localeCompare(b.name)).map((c) => <TreeNode key={c.path} node={c} />)}</ul>
              )}
            </>
          )}
        </div>
      )}
    </Card>
  );
}
