import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startExporter } from './support/exporter.js';

/**
 * A browser keeps the status page's connection open and preconnects spare ones that send
 * nothing. Node's server.close() waits for such a connection forever: shutdown must not.
 */
describe('shutdown with a connection that never sent a request', () => {
  it('closes it instead of waiting for it', async () => {
    const ex = await startExporter('model_list: []\n');
    const { port } = new URL(ex.url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const started = Date.now();
    await ex.close();
    await closed;
    // Without the fix this waited until the client gave up (Chromium: about 20 s).
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
