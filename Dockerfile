# Waymark: the API, the engine and the dashboard in one image.
#   docker build -t waymark .
#   docker run -p 3000:3000 -v waymark-data:/data waymark            # embedded SQLite in /data
#   docker compose up                                                # PostgreSQL 15, an api and a worker
# See docs/operations.md.

# Build: every dependency (TypeScript, Vite), then the compiled server (dist/) and the dashboard (web/dist/).
FROM node:20-bookworm-slim AS build
WORKDIR /app
# Tools for better-sqlite3's native module when no prebuilt binary fits the platform.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY web/package.json web/package.json
# Scripts off: `prepare` would build before the sources are here; the native modules are built just after.
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3 esbuild
COPY tsconfig.json tsconfig.build.json ./
COPY scripts scripts
COPY native native
COPY src src
COPY web web
RUN npm run build && npm run build:web

# Runtime: production dependencies of the server only (not the dashboard's), the build, a user without rights.
FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production PORT=3000
COPY package.json package-lock.json ./
COPY web/package.json web/package.json
# The dashboard's packages are all devDependencies: none of them comes along.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
# better-sqlite3's native module as the build stage made it (same base image): no compiler here.
COPY --from=build /app/node_modules/better-sqlite3/build node_modules/better-sqlite3/build
COPY --from=build /app/dist dist
# The SQLite log shim (native/wal-batch.c), compiled by `npm run build` with the build stage's compiler.
COPY --from=build /app/native/build native/build
COPY --from=build /app/web/dist web/dist
COPY bin bin
COPY examples examples
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# Readiness, not liveness: 503 while the store is unreachable or the process drains on SIGTERM.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/waymark.mjs"]
# SQLite in the volume by default; DATABASE_URL (postgres://...) with --role api or worker for PostgreSQL.
CMD ["serve", "--host", "0.0.0.0", "--db", "/data/waymark.db"]
