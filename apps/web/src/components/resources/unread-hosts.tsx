/** The hosts a fleet-wide list could not read, and why: the list says it is partial rather than looking complete. */
export function UnreadHosts({ hosts }: { hosts: readonly { hostId: string; hostName: string; reason: string }[] | undefined }) {
  if (!hosts?.length) return null;
  return (
    <div role="status" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="unread-hosts">
      Not shown from {hosts.length} host{hosts.length === 1 ? "" : "s"}:
      <ul className="mt-1 list-disc pl-5">
        {hosts.map((h) => (
          <li key={h.hostId}>
            {h.hostName}: {h.reason}
          </li>
        ))}
      </ul>
    </div>
  );
}
