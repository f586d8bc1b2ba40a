import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * vitest globalSetup: every temporary file of the run (mkdtemp in tests, exporters and tools they
 * spawn) goes under one directory, removed when the run ends. Tests made ~350 directories in
 * /tmp per run and removed few of them. The workers and their children inherit TMPDIR.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'lhe-test-run-'));
  // Searchable by others: the test Postgres runs as its own user in a directory made in here.
  chmodSync(dir, 0o711);
  const before = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
}
