# syntax=docker/dockerfile:1
# Debian-based images: DuckDB's prebuilt engine needs glibc (no Alpine/musl).

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY etl ./etl
COPY src ./src
COPY sql ./sql
COPY bin ./bin
# npm ci runs the prepare script, which compiles TypeScript into dist/.
RUN npm ci --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    STEDI_LAKE=/data/lake \
    PORT=4000
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only; the compiled output comes from the build stage.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY sql ./sql
COPY bin ./bin
COPY schema ./schema
RUN mkdir -p /data/lake && chown -R node:node /data
USER node
VOLUME ["/data"]
EXPOSE 4000
# Ready, not merely alive: 503 until the live version is loaded and readable and the consent registry is fresh.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/stedi.js"]
CMD ["serve"]
