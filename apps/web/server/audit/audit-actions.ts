import { AUDITED_CONTAINER_EVENTS, type ContainerOperation } from "@stevedore/protocol";

/**
 * Every action the audit trail records, by what it is about: the one list. An entry's `action` is
 * typed as one of these (AuditInput, AuditedAction), so an action that is not listed here does not
 * compile, and the audit page's Action filter is this list. Pure: the browser imports it too.
 */
const CONTAINER_OPERATIONS = ["start", "stop", "restart", "kill", "pause", "unpause", "rename", "remove"] as const satisfies readonly ContainerOperation["action"][];

export const AUDIT_ACTION_GROUPS = [
  {
    label: "Containers",
    actions: [
      "container.run",
      ...CONTAINER_OPERATIONS.map((a) => `container.${a}` as const),
      "container.recreate",
      "container.update",
      "container.rollback",
      // Seen on a host (the engine's events): create, die, destroy and oom come only from there.
      ...AUDITED_CONTAINER_EVENTS.map((a) => `container.${a}` as const),
    ],
  },
  { label: "Images", actions: ["image.pull", "image.tag", "image.remove", "image.prune"] },
  { label: "Volumes", actions: ["volume.create", "volume.remove", "volume.prune"] },
  { label: "Networks", actions: ["network.create", "network.remove", "network.prune"] },
  { label: "Registries", actions: ["registry.add", "registry.update", "registry.remove"] },
  { label: "Terminals", actions: ["terminal.attach", "terminal.exec", "terminal.join", "terminal.allow-input", "terminal.close", "terminal.refused", "recording.play"] },
  { label: "Logs", actions: ["logs.download", "logs.refused"] },
  { label: "Hosts", actions: ["host.enroll", "host.connect", "host.join-token", "host.join-token-revoke", "host.set-groups", "host.revoke"] },
  { label: "Users", actions: ["user.create", "user.set-role", "user.set-grants", "user.disable", "user.enable", "user.reset-password", "user.change-password"] },
  { label: "Sign-in", actions: ["auth.sign-in", "auth.sign-out", "auth.sso-access"] },
  { label: "API tokens", actions: ["token.create", "token.revoke"] },
  { label: "Second factors", actions: ["factor.enrol", "factor.verify", "factor.recovery-code", "factor.new-recovery-codes", "factor.disable", "factor.reset", "settings.two-factor"] },
  { label: "Settings", actions: ["settings.terminal", "settings.images", "settings.run-policy", "settings.update-policy", "settings.sso"] },
  { label: "Alerts", actions: ["alert.rule-add", "alert.rule-update", "alert.rule-remove", "alert.channel-add", "alert.channel-update", "alert.channel-remove", "alert.channel-test", "alert.acknowledge", "alert.silence"] },
  { label: "Access", actions: ["access.refused", "access.cut"] },
  { label: "Audit trail", actions: ["audit.export", "audit.checkpoint", "engine.events-summarized"] },
] as const;

export type AuditAction = (typeof AUDIT_ACTION_GROUPS)[number]["actions"][number];

/** Each action once (the container events a host reports overlap Stevedore's own operations). */
export const AUDIT_ACTION_GROUPS_DISTINCT: { label: string; actions: AuditAction[] }[] = AUDIT_ACTION_GROUPS.map((g) => ({ label: g.label, actions: [...new Set<AuditAction>(g.actions)] }));

export const AUDIT_ACTIONS: readonly AuditAction[] = AUDIT_ACTION_GROUPS_DISTINCT.flatMap((g) => g.actions);

const KNOWN: ReadonlySet<string> = new Set(AUDIT_ACTIONS);

export const isAuditAction = (a: string): a is AuditAction => KNOWN.has(a);

/**
 * An engine event as it is recorded. Agents forward only AUDITED_CONTAINER_EVENTS; one that sends
 * another (a newer or a rogue agent) still has it recorded under its own name, which the filter then
 * shows as an unlisted value rather than hiding the entry.
 */
export const observedAction = (event: string) => `container.${event}` as AuditAction;
