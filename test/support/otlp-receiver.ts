import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A minimal OTLP/HTTP receiver (what a collector's otlp receiver accepts): it takes
 * /v1/traces and /v1/metrics in http/json and http/protobuf, and decodes both into one shape
 * for assertions. The protobuf side is a small generic wire-format reader over the OTLP field
 * numbers, so the test checks what actually arrives, not what the SDK meant to send.
 */
export interface ReceivedSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  attributes: Record<string, unknown>;
  status: { code: number; message: string };
}

/** A metric as received: its descriptor and every attribute key any of its points carried. */
export interface ReceivedMetric {
  description: string;
  unit: string;
  /** gauge, counter (monotonic sum), sum (non-monotonic), histogram, or other. */
  type: string;
  attributeKeys: Set<string>;
}

export interface OtlpReceiver {
  url: string;
  spans: ReceivedSpan[];
  metricNames: Set<string>;
  metrics: Map<string, ReceivedMetric>;
  resourceAttributes: Record<string, unknown>;
  contentTypes: Set<string>;
  /** Every raw body received, as latin1 text, for "no secret anywhere" checks. */
  rawBodies: string[];
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const r: OtlpReceiver = { url: '', spans: [], metricNames: new Set(), metrics: new Map(), resourceAttributes: {}, contentTypes: new Set(), rawBodies: [], close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const type = String(req.headers['content-type'] ?? '');
      r.contentTypes.add(type);
      r.rawBodies.push(body.toString('latin1'));
      const json = type.includes('json');
      if (req.url === '/v1/traces') (json ? tracesFromJson(JSON.parse(body.toString('utf8'))) : tracesFromProto(body)).forEach((s) => r.spans.push(s));
      else if (req.url === '/v1/metrics') (json ? metricsFromJson(JSON.parse(body.toString('utf8')), r) : metricsFromProto(body, r));
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      res.end(json ? '{}' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  r.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return r;
}

// ---- http/json -----------------------------------------------------------------------------

type JsonKv = { key: string; value: Record<string, unknown> };
const jsonValue = (v: Record<string, unknown>): unknown =>
  v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined) ?? v.doubleValue ?? v.boolValue;
const jsonAttrs = (kvs: JsonKv[] = []) => Object.fromEntries(kvs.map((kv) => [kv.key, jsonValue(kv.value)]));

function tracesFromJson(body: any): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of body.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) {
    out.push({ name: s.name, kind: s.kind, traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId ?? '', attributes: jsonAttrs(s.attributes), status: { code: s.status?.code ?? 0, message: s.status?.message ?? '' } });
  }
  return out;
}

function metricsFromJson(body: any, r: OtlpReceiver): void {
  for (const rm of body.resourceMetrics ?? []) {
    Object.assign(r.resourceAttributes, jsonAttrs(rm.resource?.attributes));
    for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) {
      const type = m.gauge ? 'gauge' : m.sum ? (m.sum.isMonotonic ? 'counter' : 'sum') : m.histogram ? 'histogram' : 'other';
      const points: Array<{ attributes?: JsonKv[] }> = (m.gauge ?? m.sum ?? m.histogram)?.dataPoints ?? [];
      addMetric(r, m.name, m.description ?? '', m.unit ?? '', type, points.flatMap((p) => (p.attributes ?? []).map((kv) => kv.key)));
    }
  }
}

function addMetric(r: OtlpReceiver, name: string, description: string, unit: string, type: string, attributeKeys: string[]): void {
  r.metricNames.add(name);
  let m = r.metrics.get(name);
  if (!m) r.metrics.set(name, (m = { description, unit, type, attributeKeys: new Set() }));
  for (const key of attributeKeys) m.attributeKeys.add(key);
}

// ---- http/protobuf --------------------------------------------------------------------------

type Field = { no: number; wire: number; int?: bigint; bytes?: Buffer };

/** Reads one protobuf message into its fields (wire types 0, 1, 2 and 5). */
function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let i = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[i++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const no = key >> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ no, wire, int: varint() });
    else if (wire === 1) { out.push({ no, wire, bytes: buf.subarray(i, i + 8) }); i += 8; }
    else if (wire === 2) { const len = Number(varint()); out.push({ no, wire, bytes: buf.subarray(i, i + len) }); i += len; }
    else if (wire === 5) { out.push({ no, wire, bytes: buf.subarray(i, i + 4) }); i += 4; }
    else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}
const all = (fs: Field[], no: number) => fs.filter((f) => f.no === no);
const one = (fs: Field[], no: number) => fs.find((f) => f.no === no);
const str = (f?: Field) => f?.bytes?.toString('utf8') ?? '';

/** KeyValue { 1: key, 2: AnyValue { 1 string, 2 bool, 3 int, 4 double } } */
function protoAttrs(kvs: Field[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of kvs) {
    const f = fields(kv.bytes!);
    const v = fields(one(f, 2)?.bytes ?? Buffer.alloc(0));
    const s = one(v, 1), b = one(v, 2), n = one(v, 3), d = one(v, 4);
    out[str(one(f, 1))] = s ? str(s) : b ? b.int === 1n : n ? Number(n.int) : d ? d.bytes!.readDoubleLE(0) : undefined;
  }
  return out;
}

/** ExportTraceServiceRequest { 1: ResourceSpans { 1: Resource, 2: ScopeSpans { 2: Span } } } */
function tracesFromProto(buf: Buffer): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of all(fields(buf), 1)) for (const ss of all(fields(rs.bytes!), 2)) for (const sp of all(fields(ss.bytes!), 2)) {
    const f = fields(sp.bytes!);
    const status = fields(one(f, 15)?.bytes ?? Buffer.alloc(0));
    out.push({
      traceId: one(f, 1)?.bytes?.toString('hex') ?? '',
      spanId: one(f, 2)?.bytes?.toString('hex') ?? '',
      parentSpanId: one(f, 4)?.bytes?.toString('hex') ?? '',
      name: str(one(f, 5)),
      kind: Number(one(f, 6)?.int ?? 0n),
      attributes: protoAttrs(all(f, 9)),
      status: { code: Number(one(status, 3)?.int ?? 0n), message: str(one(status, 2)) },
    });
  }
  return out;
}

/**
 * ExportMetricsServiceRequest { 1: ResourceMetrics { 1: Resource { 1: attrs }, 2: ScopeMetrics { 2: Metric } } };
 * Metric { 1: name, 2: description, 3: unit, 5: Gauge, 7: Sum { 3: is_monotonic }, 9: Histogram },
 * each with 1: data points, whose attributes are field 7 (number points) or 9 (histogram points).
 */
function metricsFromProto(buf: Buffer, r: OtlpReceiver): void {
  for (const rm of all(fields(buf), 1)) {
    const f = fields(rm.bytes!);
    const resource = one(f, 1);
    if (resource) Object.assign(r.resourceAttributes, protoAttrs(all(fields(resource.bytes!), 1)));
    for (const sm of all(f, 2)) for (const m of all(fields(sm.bytes!), 2)) {
      const mf = fields(m.bytes!);
      const gauge = one(mf, 5), sum = one(mf, 7), histogram = one(mf, 9);
      const data = gauge ?? sum ?? histogram;
      const monotonic = sum ? one(fields(sum.bytes!), 3)?.int === 1n : false;
      const type = gauge ? 'gauge' : sum ? (monotonic ? 'counter' : 'sum') : histogram ? 'histogram' : 'other';
      const attributesField = histogram ? 9 : 7;
      const keys = data ? all(fields(data.bytes!), 1).flatMap((p) => Object.keys(protoAttrs(all(fields(p.bytes!), attributesField)))) : [];
      addMetric(r, str(one(mf, 1)), str(one(mf, 2)), str(one(mf, 3)), type, keys);
    }
  }
}
