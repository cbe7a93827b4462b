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
# The memory settings of `npm start` (scripts/start.mjs says why each; README, Benchmarks, "Memory",
# the measurements): two glibc arenas, V8's old generation limited to 512 MB so it collects at ~1.4x
# the live heap instead of 4x, 8 MB semi-spaces, and libuv's pool (where the argon2id verifies run,
# 19 MiB each) sized to the cores, 2 to 4, unless UV_THREADPOOL_SIZE is given.
ENV NODE_ENV=production PORT=3000 DATA_DIR=/app/data MALLOC_ARENA_MAX=2 NODE_OPTIONS="--max-old-space-size=512 --max-semi-space-size=8"
EXPOSE 3000
CMD ["sh", "-c", "n=$(nproc); [ \"$n\" -gt 4 ] && n=4; [ \"$n\" -lt 2 ] && n=2; export UV_THREADPOOL_SIZE=\"${UV_THREADPOOL_SIZE:-$n}\"; exec node dist/src/main.js"]
