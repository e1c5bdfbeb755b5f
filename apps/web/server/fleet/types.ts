import type { ContainerSummary, EngineFacts, HostFacts } from "@stevedore/protocol";

export type HostStatus = "online" | "offline" | "engine_down";

/** What the fleet view shows for one host; the control plane's in-memory, agent-fed truth. */
export interface HostView {
  id: string;
  name: string;
  /** Host groups (labels such as "staging"), the unit of access grants. */
  groups: string[];
  status: HostStatus;
  /** Epoch ms of the last message from its agent; null if it never connected. */
  lastSeenAt: number | null;
  connectedAt: number | null;
  engineError: string | null;
  facts: Partial<HostFacts> & { protocolVersion?: number };
  engine: EngineFacts | null;
  containersRunning: number;
  containersTotal: number;
  images: number;
  /** Set while its agent is held to one of its limits (too many messages, containers, events). */
  limited: { reason: string; at: number } | null;
  /**
   * Set when its agent was last turned away for its protocol version (`agent` older or newer than all of
   * `supported`), so the hosts page can say which side to upgrade; cleared when a supported agent connects.
   */
  refusedProtocol: RefusedProtocol | null;
  /** The last time someone presented this host's superseded credential (a copy of an old one), and from where. */
  credentialAlert: CredentialAlert | null;
}

export interface RefusedProtocol {
  agent: number;
  supported: number[];
  at: number;
}

export interface CredentialAlert {
  at: number;
  ip: string | null;
}

export interface ContainerRow extends ContainerSummary {
  hostId: string;
  hostName: string;
  /** False while the host is offline: the row is the last state its agent reported. */
  live: boolean;
}

export type FleetChange =
  | { kind: "host"; hostId: string }
  | { kind: "containers"; hostId: string }
  | { kind: "images"; hostId: string }
  // Volumes and networks are read live from the agent; these say only that they changed.
  | { kind: "volumes"; hostId: string }
  | { kind: "networks"; hostId: string }
  // An alert of the host opened, recurred, resolved, was acknowledged or silenced (alerts/alerts.ts).
  | { kind: "alerts"; hostId: string };
