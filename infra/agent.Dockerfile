# Stevedore agent. Build from the repo root:
#   docker build -f infra/agent.Dockerfile -t stevedore-agent .
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS deps
# The npm the repo pins (packageManager): older npm ignores the allowScripts policy in package.json.
RUN npm install -g npm@11.19.1 --no-audit --no-fund
WORKDIR /opt/stevedore
# npm ci checks every workspace manifest against the lockfile, so apps/web's must be here too; with
# --workspace only the agent's production dependencies (and its link to packages/protocol) are installed.
COPY package.json package-lock.json ./
COPY apps/web/package.json apps/web/
COPY packages/protocol/package.json packages/protocol/
COPY agent/package.json agent/
RUN npm ci --omit=dev --workspace=@stevedore/agent --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /opt/stevedore
COPY --from=deps /opt/stevedore/node_modules node_modules
COPY packages/protocol/package.json packages/protocol/
COPY packages/protocol/src packages/protocol/src
COPY agent/package.json agent/
COPY agent/bin agent/bin
COPY agent/src agent/src
# Runs as root on purpose: whoever can use the engine socket is root on the host anyway, and the
# socket's group id differs from host to host, so a fixed non-root user would not be safer, only broken.
# Root also makes /var/lib/stevedore-agent/credentials.json the agent's default credentials file.
RUN install -d -m 700 /var/lib/stevedore-agent
VOLUME /var/lib/stevedore-agent
ENTRYPOINT ["node", "agent/bin/stevedore-agent.mjs"]
