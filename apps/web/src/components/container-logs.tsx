"use client";

import Link from "next/link";
import { useMemo } from "react";
import { mergedLogsHref } from "@/lib/log-buffer";
import { LogViewer } from "./log-viewer";
import { Card } from "./ui";

/** The Logs card of a container's page (shown only to those allowed to read its logs). */
export function ContainerLogs({ hostId, id, name, hostName }: { hostId: string; id: string; name: string; hostName: string }) {
  const sources = useMemo(() => [{ hostId, containerId: id, name, hostName }], [hostId, id, name, hostName]);
  return (
    <Card
      title="Logs"
      actions={
        <Link href={mergedLogsHref([{ hostId, id }])} className="text-sm text-sky-800 hover:underline">
          Open in a page of its own
        </Link>
      }
    >
      <div className="p-3">
        <LogViewer sources={sources} />
      </div>
    </Card>
  );
}
