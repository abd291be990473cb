# One image for every service of the control plane; `command` picks the entry point
# (node dist/apps/<service>/src/main.js). Default: the gateway.
#   docker build --build-arg GIT_SHA=$(git rev-parse HEAD) -t agent-control-plane:local .
#   docker run --init -p 127.0.0.1:8080:8080 agent-control-plane:local

# ---- deps: the full dependency tree, cached as long as the lockfile does not change
FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# onnxruntime-node ships its CPU binaries in the npm package; its postinstall would fetch CUDA
# libraries from outside the npm registry (npm 11+ skips it through package.json `allowScripts`,
# older npm through this variable).
ENV ONNXRUNTIME_NODE_INSTALL=skip
RUN npm ci --no-audit --no-fund

# ---- build: compile everything to dist/, then drop the dev dependencies
FROM deps AS build
COPY . .
# config/ may hold nothing tracked yet; the runtime stage copies it either way.
RUN mkdir -p config \
 && npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: compiled output and production dependencies only, as the unprivileged `node` user
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and read-only to the service user: the services write nothing to their own tree.
COPY --from=build /app/package.json /app/nx.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/config ./config
# Last, so a new commit only changes the final layer.
ARG GIT_SHA=unknown
ENV CP_GIT_SHA=${GIT_SHA}
# The event journal's directory (CP_SPOOL_DIR in compose), the one place a service writes; a named
# volume mounted here takes this ownership on first use.
RUN mkdir -p /var/lib/cp/spool && chown node:node /var/lib/cp/spool
USER node
EXPOSE 8080
# PID 1 should be an init (compose sets `init: true`; with plain docker use `docker run --init`)
# so SIGTERM reaches node and the service drains before it exits.
CMD ["node", "dist/apps/gateway/src/main.js"]
