/**
 * The V8 flags every shipped way of running the exporter passes to node: the bin's shebang
 * (`src/cli/main.ts`), `npm start` and `npm run demo`, the Dockerfile's ENTRYPOINT (compose and
 * Kubernetes run that image) and the systemd unit (through the bin). A test holds them together,
 * and the benchmark launches the exporter with them.
 *
 * Why: V8 lets each young-generation semi-space grow to 16 MB, which module loading alone reaches,
 * so an idle exporter carries ~32 MB of young generation. A probe's objects die within its round
 * trip, so 2 MB semi-spaces cost no measurable CPU (bench/FINDINGS.md) and give back ~25 MB of RSS
 * at any fleet size. V8 fixes the size when the heap is set up: `v8.setFlagsFromString` from
 * inside the process has no effect, hence a flag on every launch path.
 *
 * `--heap-growing-percent=50`: after each full GC V8 lets old space grow to a multiple of what was
 * live before the next one (up to 4×; 2–3× seen here). Serving 10,000 deployments replaces much
 * of ~110 MB of kept `/metrics` and `/health` state every scrape interval, so RSS after an
 * hour-equivalent was 327 and 398 MB in two runs (peaks 381 and 431); with old space allowed 1.5×
 * the live size, 260 and 262 MB (peaks 265 and 262) for 3–14 % more CPU in that heavy regime
 * (bench/FINDINGS.md). A V8 flag node passes through to V8; test/deploy/every-launch-path-carries-the-node-flags.test.ts
 * fails if a node version stops accepting it.
 */
export const SHIPPED_NODE_FLAGS = ['--max-semi-space-size=2', '--heap-growing-percent=50'] as const;
