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
 */
export const SHIPPED_NODE_FLAGS = ['--max-semi-space-size=2'] as const;
