import { DomainError } from "../domain-error";
import type { FleetState } from "../fleet/fleet-state";
import { type AccessSubject, type HostPermission, PERMISSION_WORDS, type Role, permits, roleOnHost, seesWholeFleet } from "./roles";

/**
 * One caller's access across the fleet: what every procedure, list, download and socket asks. A host
 * the caller cannot see is refused without its name, as one that does not exist (nothing about it leaks).
 */
export class CallerAccess {
  /** True for every host when the fleet-wide role is viewer or above: lists skip the per-host check. */
  readonly wholeFleet: boolean;
  readonly isAdmin: boolean;

  constructor(
    readonly subject: AccessSubject,
    private readonly fleet: FleetState,
  ) {
    this.wholeFleet = seesWholeFleet(subject);
    // A token's subject carries the lesser of its own and its owner's role already.
    this.isAdmin = subject.role === "admin";
  }

  roleOn(hostId: string): Role {
    return roleOnHost(this.subject, this.fleet.hostGroups(hostId));
  }

  may(hostId: string, permission: HostPermission): boolean {
    return permits(this.subject, this.fleet.hostGroups(hostId), permission);
  }

  /** Whether the caller may see this host at all (lists leave out the others). */
  readonly sees = (hostId: string): boolean => this.fleet.has(hostId) && (this.wholeFleet || this.may(hostId, "view"));

  /** Which audit entries the caller may read: every one (admins), any host's, or those of the hosts they see. */
  auditScope(): undefined | "hosts" | string[] {
    if (this.isAdmin) return undefined;
    if (this.wholeFleet) return "hosts";
    return [...this.fleet.hostIds()].filter(this.sees);
  }

  /** Refuses the whole request, before anything runs, when any host lacks the permission. */
  assert(hostIds: Iterable<string>, permission: HostPermission): void {
    const ids = [...new Set(hostIds)];
    const unknown = ids.filter((id) => !this.sees(id));
    if (unknown.length > 0) {
      if (this.isAdmin) throw new DomainError("not_found", `no such host: ${unknown.join(", ")}`);
      throw new DomainError("forbidden", `you have no access to host ${unknown.join(", ")}`, unknown);
    }
    const refused = ids.filter((id) => !this.may(id, permission));
    if (refused.length === 0) return;
    const names = refused.map((id) => this.fleet.getHost(id)?.name ?? id);
    throw new DomainError("forbidden", `this needs ${PERMISSION_WORDS[permission]} on ${names.join(", ")}; you are ${this.roleOn(refused[0]!)} there`, refused);
  }
}
