import type { HostStatus } from "../../server/fleet/types";
import { Badge } from "./ui";

const LABEL: Record<HostStatus, { text: string; tone: "green" | "red" | "amber" }> = {
  online: { text: "online", tone: "green" },
  offline: { text: "offline", tone: "red" },
  engine_down: { text: "engine down", tone: "amber" },
};

export function HostStatusBadge({ status, title }: { status: HostStatus; title?: string }) {
  const { text, tone } = LABEL[status];
  return (
    <Badge tone={tone} title={title}>
      <span className={`size-1.5 rounded-full ${tone === "green" ? "bg-emerald-500" : tone === "red" ? "bg-red-500" : "bg-amber-500"}`} aria-hidden />
      {text}
    </Badge>
  );
}
