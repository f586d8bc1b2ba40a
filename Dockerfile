# syntax=docker/dockerfile:1
# The llm-health-exporter image:  docker build -t llm-health-exporter:0.1.0 .
#
# Stage `build` compiles and packs the npm package (`npm pack`: the `files` of package.json, with
# package-lock.json shipped as npm-shrinkwrap.json). Stage `runtime` installs that package with
# production dependencies only, from the lockfile it ships, and runs it as the unprivileged
# `node` user. test/deploy/npm-package.test.ts replays these steps on the host (parsed from this
# file) and checks the result answers /health/readiness; test/deploy/dockerfile.test.ts checks the
# rules below (multi-stage, non-root, no secrets, no dev dependencies in the final stage).

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN mkdir /pkg && npm pack --pack-destination /pkg && tar -xzf /pkg/llm-health-exporter-*.tgz -C /pkg

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Only the packed package (dist/, package.json, npm-shrinkwrap.json, the demo config, alert rules,
# dashboard and docs): no sources, tests or dev dependencies.
COPY --from=build /pkg/package/ ./
# The npm cache stays in a build cache mount, not in the image.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund
# The one native addon (better-sqlite3, for the history database), as the build stage's `npm ci`
# built it for this same base image: the runtime stage has no compiler and runs no install scripts.
COPY --from=build /src/node_modules/better-sqlite3/build/ ./node_modules/better-sqlite3/build/
# The files stay root-owned and read-only for the process (it writes nothing to disk).
USER node
EXPOSE 4000
# The exporter handles SIGTERM itself (readiness and liveliness answer 503, probes in flight are
# aborted, the server closes) and exits 0; as PID 1 with its own handlers, node needs no init
# (it starts no child processes). `docker stop` waits 10 s by default: the exporter gives up
# waiting after 10 s too, so give it `--stop-timeout 15` (compose: stop_grace_period).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=5m \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/health/readiness').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The node flags and environment are src/cli/node-flags.ts's (4 MB young-generation semi-spaces,
# old space held to 1.5× what is live, glibc's mmap threshold fixed: less RSS, steadier under
# serving).
ENV MALLOC_MMAP_THRESHOLD_=131072
ENTRYPOINT ["node", "--max-semi-space-size=4", "--heap-growing-percent=50", "/app/dist/src/cli/main.js"]
CMD ["--config", "/etc/llm-health-exporter/config.yaml"]
