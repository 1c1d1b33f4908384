# syntax=docker/dockerfile:1
# Debian-based images: DuckDB's prebuilt engine needs glibc (no Alpine/musl).

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY etl ./etl
COPY src ./src
COPY sql ./sql
COPY bin ./bin
COPY scripts ./scripts
# npm ci runs the prepare script: TypeScript into dist/, the browser pages into dist/web/.
RUN npm ci --no-audit --no-fund

FROM node:22-bookworm-slim AS runtime
# HOST=0.0.0.0: a container must listen on every address for `-p 4000:4000` to reach it (outside one, the default is 127.0.0.1).
ENV NODE_ENV=production \
    STEDI_LAKE=/data/lake \
    HOST=0.0.0.0 \
    PORT=4000
WORKDIR /app
# tini as PID 1: it reaps orphaned children (Node as PID 1 never does) and passes signals on to the server.
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Production dependencies only; the compiled output comes from the build stage.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY sql ./sql
COPY bin ./bin
COPY schema ./schema
# The GraphQL IDE opens these documents as tabs.
COPY examples/graphql ./examples/graphql
RUN mkdir -p /data/lake && chown -R node:node /data
USER node
VOLUME ["/data"]
EXPOSE 4000
# Ready, not merely alive: 503 until the live version is loaded and readable and the consent registry is fresh.
# The probe asks where the server says it listens (`serve --port` included), else reads PORT and HOST as the server does. 60 s: loading a live version takes seconds (a first build on the
# real data 0.5 s, at 100x about 9 s); `stedi start` on a bigger landing needs --health-start-period raised.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["node", "bin/healthcheck.js"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/stedi.js"]
CMD ["serve"]
