# syntax=docker/dockerfile:1
#
# The custom-integrations worker: every action of the definitions folder as a Temporal activity.
# Used by docker-compose.yml; on its own:
#   docker build -t custom-integrations-worker .
#   docker run --rm -e TEMPORAL_ADDRESS=host:7233 -e PEDRO_AVIARY_API_KEY=... -e CUSTOM_INTEGRATIONS_CODEC_KEYS=... \
#     -v "$PWD/definitions:/app/definitions:ro" custom-integrations-worker
#
# No secret is copied into the image: .dockerignore lets only the sources below into the build context, and the
# worker reads API keys at run time from where temporal.config.ts points (environment variables or files).

# Node 20 reached end of life in April 2026; 22 is an LTS line that satisfies package.json's engines (>=20.18.1).
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Dependencies first, so this layer is cached until the lockfile changes. --ignore-scripts because the package's
# own `prepare` script is a build, which needs the sources that are copied only below.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
# `npm rebuild` runs the install scripts of the dependencies skipped above (not the package's `prepare`); then the
# build (tsc -p tsconfig.build.json, into dist/) and the removal of devDependencies.
RUN npm rebuild \
 && npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && test -f dist/src/cli/main.js

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Owned by root, read-only for the `node` user the worker runs as.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# temporal.config.ts is compiled on the fly at start (jiti) and imports src/config/temporal-config.ts, so both
# ship as sources. TEMPORAL_* variables override its connection settings (127.0.0.1:7233 is for the host).
COPY --from=build /app/temporal.config.ts ./
COPY --from=build /app/src ./src
# A default set of definitions; docker-compose.yml mounts ./definitions over it, read-only.
COPY --from=build /app/definitions ./definitions
# Without configured keys (CUSTOM_INTEGRATIONS_CODEC_KEYS), the payload codec generates one key and keeps it in
# $XDG_CONFIG_HOME/temporal-custom-integrations (src/codec/local-key.ts). docker-compose.yml mounts a named volume on
# that folder so the key outlives the container; the folder exists here, owned by `node` and 0700, because Docker
# gives a new named volume the owner and mode of the image folder it is mounted on (else root's, unwritable by node).
ENV XDG_CONFIG_HOME=/home/node/.config
RUN install -d -o node -g node -m 0700 /home/node/.config /home/node/.config/temporal-custom-integrations
USER node
CMD ["node", "dist/src/cli/main.js", "worker"]
