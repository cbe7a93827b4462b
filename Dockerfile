# The app image used by docker-compose.yml. better-sqlite3 ships prebuilt binaries for node 20 on glibc.
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
# web/ is an npm workspace (the React app): its package.json is part of the install
COPY web/package.json ./web/package.json
RUN npm ci
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY projections ./projections
COPY bench ./bench
# the web app (built into web/dist, served at /account, /admin, /sys); web/src/data holds the
# published tier matrix the hourly drift audit compares with (src/tenant-tier/tier-jobs.service.ts)
COPY web/index.html web/vite.config.ts web/tsconfig.json ./web/
COPY web/src ./web/src
RUN npm run build && npm prune --omit=dev
# MALLOC_ARENA_MAX=2: the argon2id verifies on libuv threads otherwise keep ~70 MB of RSS in per-thread arenas
ENV NODE_ENV=production PORT=3000 DATA_DIR=/app/data MALLOC_ARENA_MAX=2
EXPOSE 3000
CMD ["node", "dist/src/main.js"]
