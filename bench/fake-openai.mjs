// A fake OpenAI chat endpoint for the benchmarks, in its own process (so its CPU is not
// counted as ours). Answers after DELAY_MS (default 0). Prints its port on stdout.
import { createServer } from 'node:http';

const delayMs = Number(process.env.DELAY_MS ?? 0);
const body = JSON.stringify({
  id: 'chatcmpl-bench', object: 'chat.completion', created: 0, model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'pong' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 8, completion_tokens: 1, total_tokens: 9 },
});
const answer = (res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
};
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => (delayMs > 0 ? setTimeout(answer, delayMs, res) : answer(res)));
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
