// A fake OpenAI chat endpoint for the benchmarks, in its own process (so its CPU is not
// counted on either side). Answers every request after DELAY_MS (default 0), and counts the
// requests per first path segment (`/exporter/v1/chat/completions` counts under "exporter"),
// so the bench counts the probes each side actually sent: GET /_counts. Prints its port on stdout.
import { createServer } from 'node:http';

const delayMs = Number(process.env.DELAY_MS ?? 0);
const body = JSON.stringify({
  id: 'chatcmpl-bench', object: 'chat.completion', created: 0, model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'pong' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 8, completion_tokens: 1, total_tokens: 9 },
});
const counts = Object.create(null);
const answer = (res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
};
const server = createServer((req, res) => {
  if (req.url === '/_counts') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(counts));
    return;
  }
  const side = req.url.split('/')[1] || '-';
  counts[side] = (counts[side] ?? 0) + 1;
  req.resume();
  req.on('end', () => (delayMs > 0 ? setTimeout(answer, delayMs, res) : answer(res)));
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
