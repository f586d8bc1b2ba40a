/**
 * The V8 flags (and, below, the environment) every shipped way of running the exporter passes to
 * node: the bin's shebang (`src/cli/main.ts`), `npm start` and `npm run demo`, the Dockerfile's
 * ENTRYPOINT (compose and Kubernetes run that image) and the systemd unit (through the bin). A test
 * holds them together, and the benchmark launches the exporter with them.
 *
 * Why: V8 lets each young-generation semi-space grow to 16 MB, which module loading alone reaches,
 * so an idle exporter carries ~32 MB of young generation. A probe's objects die within its round
 * trip, so small semi-spaces give back ~20 MB of RSS at any fleet size. 4 MB, not 2: each
 * scavenge costs ~0.7 ms however little survives, and 2 MB ones ran one every ~150 probes in a
 * burst; 4 MB made warm rounds ~9 % cheaper and start-up ~7 %, for ~4 MB of RSS, and 8 MB gained
 * nothing more (bench/FINDINGS.md). V8 fixes the size when the heap is set up:
 * `v8.setFlagsFromString` from inside the process has no effect, hence a flag on every launch path.
 *
 * `--heap-growing-percent=50`: after each full GC V8 lets old space grow to a multiple of what was
 * live before the next one (up to 4×; 2–3× seen here). Serving 10,000 deployments replaces much
 * of ~110 MB of kept `/metrics` and `/health` state every scrape interval, so RSS after an
 * hour-equivalent was 327 and 398 MB in two runs (peaks 381 and 431); with old space allowed 1.5×
 * the live size, 260 and 262 MB (peaks 265 and 262) for 3–14 % more CPU in that heavy regime
 * (bench/FINDINGS.md). A V8 flag node passes through to V8; test/deploy/every-launch-path-carries-the-node-flags.test.ts
 * fails if a node version stops accepting it.
 */
export const SHIPPED_NODE_FLAGS = ['--max-semi-space-size=4', '--heap-growing-percent=50'] as const;

/**
 * The environment the same launch paths set for node: glibc's malloc reads it at start-up, so it
 * too cannot be set from inside the process.
 *
 * `MALLOC_MMAP_THRESHOLD_=131072`: glibc serves allocations from 128 KB up with their own mmap,
 * but each time one of those is freed it raises that threshold to the freed size (up to 32 MB)
 * and the heap's trim threshold to twice it. Node frees such buffers all the time (a 2.7 MB
 * `/health` body at 10,000 deployments, `/metrics` chunks), so from then on they came from the
 * main heap, whose freed top was kept: 57-66 MB of `[heap]` after 6 trickle rounds with serving
 * at 10,000 deployments, 44 MB with the threshold fixed, RSS 236-249 → 217-221 MB at the same CPU
 * (3 runs each, bench/FINDINGS.md). Setting it fixes both thresholds at glibc's defaults. Other C
 * libraries (musl) ignore it.
 */
export const SHIPPED_NODE_ENV = { MALLOC_MMAP_THRESHOLD_: '131072' } as const;

/** The environment as `NAME=value` words, for a shebang's `env -S` and npm scripts. */
export const SHIPPED_NODE_ENV_WORDS = Object.entries(SHIPPED_NODE_ENV).map(([k, v]) => `${k}=${v}`);
