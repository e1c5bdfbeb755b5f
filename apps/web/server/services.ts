import type { Alerts } from "./alerts/alerts";
import type { AccessWatch } from "./access/access-watch";
import type { AgentGateway } from "./agents/agent-gateway";
import type { AuditCheckpoints } from "./audit/audit-checkpoints";
import type { AuditLog } from "./audit/audit-log";
import type { ObservedEvents } from "./audit/observed-events";
import type { OutcomeSettler } from "./audit/outcome-settler";
import type { PerHostLimit } from "./containers/per-host-limit";
import type { Auth } from "./auth";
import type { Bus } from "./cluster/bus";
import type { ServerConfig } from "./config";
import type { Db } from "./db";
import type { FleetState } from "./fleet/fleet-state";
import type { Rollouts } from "./containers/rollouts";
import type { ImagePulls } from "./images/image-pulls";
import type { Logger } from "./logger";
import type { ControlPlaneMetrics } from "./metrics/control-plane-metrics";
import type { LogStreams } from "./logs/log-streams";
import type { Registries } from "./registries/registries";
import type { Settings } from "./settings";
import type { SsoSignIn } from "./sso/sso-sign-in";
import type { StatsHistory } from "./stats/stats-history";
import type { TerminalSessions } from "./terminals/terminal-sessions";
import type { AutoUpdates } from "./updates/auto-updates";
import type { ImageUpdates } from "./updates/image-updates";

/** What the control plane is made of: built once in http-server.ts, handed to domain code and procedures. */
export interface Services {
  config: ServerConfig;
  db: Db;
  auth: Auth;
  fleet: FleetState;
  agents: AgentGateway;
  audit: AuditLog;
  /** Engine events on their way to the audit trail (their own bounded queue). */
  observed: ObservedEvents;
  /** Writes the audit chain's signed checkpoints to witnesses outside the database. */
  checkpoints: AuditCheckpoints;
  /** Settles "unknown" outcomes from what the host reports next. */
  settler: OutcomeSettler;
  /** Container operations in flight per host, bounded (a bulk request's targets wait their turn). */
  hostWork: PerHostLimit;
  pulls: ImagePulls;
  /** Recreates, updates and rollbacks, host by host, watched by browsers. */
  rollouts: Rollouts;
  registries: Registries;
  /** Which containers run an image their tag no longer names. */
  updates: ImageUpdates;
  /** Updates by policy (settings.updatePolicy), audited as Stevedore's own. */
  autoUpdates: AutoUpdates;
  stats: StatsHistory;
  terminals: TerminalSessions;
  logs: LogStreams;
  settings: Settings;
  /** Shared with the other replicas: rate-limit windows (a password change counts as a sign-in attempt). */
  bus: Bus;
  /** Re-authorizes open streams (terminals, logs, subscriptions) as access changes. */
  accessWatch: AccessWatch;
  /** Prometheus figures, when METRICS_ADDRESS turns them on. */
  metrics: ControlPlaneMetrics | undefined;
  log: Logger;
  /** Alert rules, channels, alerts and their delivery queue. */
  alerts: Alerts;
  /** OIDC sign-in (its own better-auth instance, rebuilt when the SSO settings change). */
  sso: SsoSignIn;
}
