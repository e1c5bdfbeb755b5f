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
}

export interface ContainerRow extends ContainerSummary {
  hostId: string;
  hostName: string;
  /** False while the host is offline: the row is the last state its agent reported. */
  live: boolean;
}

export type FleetChange = { kind: "host"; hostId: string } | { kind: "containers"; hostId: string };
