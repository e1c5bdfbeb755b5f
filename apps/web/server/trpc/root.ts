import { alertsRouter } from "./routers/alerts";
import { auditRouter } from "./routers/audit";
import { containersRouter } from "./routers/containers";
import { fleetRouter } from "./routers/fleet";
import { hostsRouter } from "./routers/hosts";
import { imagesRouter } from "./routers/images";
import { networksRouter } from "./routers/networks";
import { volumesRouter } from "./routers/volumes";
import { logsRouter } from "./routers/logs";
import { meRouter } from "./routers/me";
import { overviewRouter } from "./routers/overview";
import { recordingsRouter } from "./routers/recordings";
import { registriesRouter } from "./routers/registries";
import { settingsRouter } from "./routers/settings";
import { ssoRouter } from "./routers/sso";
import { statsRouter } from "./routers/stats";
import { terminalsRouter } from "./routers/terminals";
import { tokensRouter } from "./routers/tokens";
import { twoFactorRouter } from "./routers/two-factor";
import { updatesRouter } from "./routers/updates";
import { usersRouter } from "./routers/users";
import { createTRPCRouter } from "./init";

export const appRouter = createTRPCRouter({
  me: meRouter,
  hosts: hostsRouter,
  containers: containersRouter,
  images: imagesRouter,
  volumes: volumesRouter,
  networks: networksRouter,
  registries: registriesRouter,
  fleet: fleetRouter,
  audit: auditRouter,
  tokens: tokensRouter,
  users: usersRouter,
  terminals: terminalsRouter,
  recordings: recordingsRouter,
  logs: logsRouter,
  settings: settingsRouter,
  stats: statsRouter,
  updates: updatesRouter,
  overview: overviewRouter,
  twoFactor: twoFactorRouter,
  alerts: alertsRouter,
  sso: ssoRouter,
});

export type AppRouter = typeof appRouter;
