// The serving baseline: a bare fastify route returning pre-serialized bytes (read from a file),
// with the same content type as the exporter's route. Prints its port on stdout.
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const [, , file, contentType] = process.argv;
const bytes = readFileSync(file);
const app = Fastify({ logger: false });
app.get('/', (_req, reply) => { reply.type(contentType).send(bytes); });
const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${new URL(address).port}\n`);
