// Loaded with `node --import` into an exporter process by bench/persistence.mjs: samples the
// event loop's delay; on SIGUSR2, prints the window's percentiles (ms) on stderr as one
// "ELD {...}" line and starts a new window.
import { monitorEventLoopDelay } from 'node:perf_hooks';

const h = monitorEventLoopDelay({ resolution: 5 });
h.enable();
process.on('SIGUSR2', () => {
  const ms = (ns) => Math.round(ns / 1e4) / 100;
  process.stderr.write(`ELD ${JSON.stringify({ p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max), samples: h.count })}\n`);
  h.reset();
});
