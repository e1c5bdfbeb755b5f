# Stevedore control plane. Build from the repo root:
#   docker build -f infra/control-plane.Dockerfile -t stevedore .
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
# better-sqlite3 falls back to node-gyp when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# The npm the repo pins (packageManager): older npm ignores the allowScripts policy in package.json.
RUN npm install -g npm@11.19.1 --no-audit --no-fund
ENV NEXT_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
WORKDIR /app
# Every workspace manifest is needed, or npm ci finds package.json and the lockfile out of sync.
COPY package.json package-lock.json ./
COPY apps/web/package.json apps/web/
COPY packages/protocol/package.json packages/protocol/
COPY agent/package.json agent/
RUN npm ci --no-audit --no-fund
# Sources path by path, so a builder without BuildKit (which ignores control-plane.Dockerfile.dockerignore)
# still cannot bring in a local node_modules or .next.
COPY tsconfig.base.json turbo.json prisma.config.ts ./
COPY prisma prisma
COPY packages/protocol/src packages/protocol/src
COPY apps/web/next.config.ts apps/web/postcss.config.mjs apps/web/tsconfig.json apps/web/
COPY apps/web/server apps/web/server
COPY apps/web/src apps/web/src
# The build also makes both Prisma clients (SQLite, PostgreSQL) and the agent bundle that /install serves.
COPY scripts/postgres-schema.mjs scripts/db-generate.mjs scripts/
COPY agent/tsconfig.json agent/
COPY agent/src agent/src
COPY agent/scripts agent/scripts
COPY infra/systemd infra/systemd
RUN npm run build && rm -rf apps/web/.next/cache

FROM ${NODE_IMAGE}
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 STEVEDORE_DATA_DIR=/data \
    NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1 NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
# The whole tree is kept: tsx runs server/ from source and migrations run with the prisma CLI (a dev
# dependency). It stays root-owned, read-only to the server; only Next's cache dir and /data are writable.
COPY --from=build /app ./
RUN install -d -o node -g node apps/web/.next/cache && install -d -o node -g node -m 700 /data
USER node
VOLUME /data
EXPOSE 3000
# https when TLS_CERT_FILE is set; the certificate is not checked for this loopback status probe (nothing is sent).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "require(process.env.TLS_CERT_FILE ? 'https' : 'http').get({ host: '127.0.0.1', port: process.env.PORT, path: '/api/health', rejectUnauthorized: false }, (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))"]
# --max-semi-space-size=64: see scripts/start.sh.
CMD ["node", "--max-semi-space-size=64", "--import", "tsx", "apps/web/server/main.ts"]
