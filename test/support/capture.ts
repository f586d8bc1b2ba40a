import { Writable } from 'node:stream';

/** A writable that keeps everything written to it, for CLI output and logs. */
export function capture(): Writable & { text(): string } {
  const chunks: string[] = [];
  const w = new Writable({ write(chunk, _enc, cb) { chunks.push(String(chunk)); cb(); } }) as Writable & { text(): string };
  w.text = () => chunks.join('');
  return w;
}
