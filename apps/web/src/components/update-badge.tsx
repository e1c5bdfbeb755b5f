import type { ContainerUpdate } from "../../server/updates/image-updates";
import { ago, exactTime } from "@/lib/format";
import { Badge } from "./ui";

type Newer = NonNullable<ContainerUpdate["newer"]>;

/** "1.0.1 patch · 1.1.0 minor", newest kinds last. */
export function newerText(newer: Newer | null): string {
  if (!newer) return "";
  return (["patch", "minor", "major"] as const)
    .filter((k) => newer[k])
    .map((k) => `${newer[k]} ${k}`)
    .join(" · ");
}

/** Whether a container's image has moved on in its registry, and what newer versions exist; nothing when current and latest. */
export function UpdateBadge({ update, now }: { update: ContainerUpdate | null; now: number }) {
  if (!update) return null;
  const newer = newerText(update.newer);
  const checked = `checked ${ago(update.checkedAt, now)} (${exactTime(update.checkedAt)})`;
  if (update.state === "outdated")
    return (
      <Badge tone="amber" title={`The registry has a newer image under this tag${newer ? `; newer versions: ${newer}` : ""}. ${checked}`}>
        <span data-testid="update-badge">update{newer ? ` · ${newer}` : ""}</span>
      </Badge>
    );
  if (update.state === "unknown")
    return (
      <Badge tone="slate" title={`${update.error ?? "not checked for this host yet"}. ${checked}`}>
        <span data-testid="update-badge">update check failed</span>
      </Badge>
    );
  if (!newer) return null;
  return (
    <Badge tone="sky" title={`This tag's image is current; newer versions exist. ${checked}`}>
      <span data-testid="update-badge">{newer}</span>
    </Badge>
  );
}
