import { checkConfigFile } from '../config/check.js';

/**
 * `--check-config [--strict]`: every problem of the file in one pass, each with its path.
 * Exit 0 when nothing can fail (warnings printed to stdout after "config ok"); 2 when something
 * can never work, or, with --strict, when there is any warning (all printed to stderr).
 */
export async function checkConfigCommand(
  file: string,
  opts: { strict: boolean; pluginDirs: readonly string[]; env?: NodeJS.ProcessEnv },
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const report = await checkConfigFile(file, opts.env ?? process.env, opts.pluginDirs);
  const level = (l: 'error' | 'warning') => (opts.strict ? 'error' : l);
  const failed = report.issues.filter((i) => level(i.level) === 'error');
  // Errors first, then warnings, each in the order found.
  const ordered = [...report.issues.filter((i) => i.level === 'error'), ...report.issues.filter((i) => i.level === 'warning')];
  const lines = ordered.map((i) => `${level(i.level)}: ${i.text}`);
  if (!failed.length) {
    out.write(`${[`config ok: ${report.deployments} deployment(s) in ${file}`, ...lines].join('\n')}\n`);
    return 0;
  }
  const warned = report.issues.length - report.issues.filter((i) => i.level === 'error').length;
  const counts = `${report.issues.length - warned} error(s), ${warned} warning(s)${opts.strict && warned ? ' (--strict: warnings are errors)' : ''}`;
  err.write(`invalid config ${file}: ${counts}\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
  return 2;
}
