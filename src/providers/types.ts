import type { Deployment } from '../core/deployment.js';
import type { ErrorType } from '../core/errors.js';
import type { Operation, ReportedHeader } from '../core/operation.js';

export interface WireRequest {
  /** WS: a websocket handshake (realtime), the URL already ws:// or wss://. */
  method: 'GET' | 'POST' | 'WS';
  url: URL;
  headers: Record<string, string>;
  body?: string | Uint8Array | FormData;
}

/** Answer headers as undici gives them. */
export type ResponseHeaders = Readonly<Record<string, string | string[] | undefined>>;


/** What a provider knows about a non-2xx answer beyond its status (each field optional). */
export interface ErrorDetails {
  /** Overrides the type the status implies (Gemini answers a bad key with 400, Bedrock names its errors). */
  type?: ErrorType;
  /** The provider's own error code or name. */
  code?: string;
  /** Seconds to wait, when the provider says so somewhere other than Retry-After. */
  retryAfterS?: number;
}

/** What a plugin hands the provider layer: OpenAI-shaped JSON, or a multipart form (uploads). */
export type Payload = Record<string, unknown> | FormData | undefined;

/** How a provider sends one operation and reads its answer. */
export interface OperationCodec {
  /**
   * Builds the HTTP request; `payload` is OpenAI-shaped and already merged with
   * health_check_params. May be async (request signing). A throw is the deployment's config error.
   */
  build(d: Deployment, payload: Payload): WireRequest | Promise<WireRequest>;
  /**
   * Translates a 2xx JSON answer into the OpenAI shape the plugins judge (`choices`,
   * `data[0].embedding`, `results`, `data`). Absent: the answer already is OpenAI-shaped. It never
   * invents success: a body without the parts it needs translates into one without them, so the
   * plugin reports what is missing. It may throw a ProbeError for an answer that says it failed.
   */
  parse?(json: unknown): unknown;
}

/** The operations a provider serves; one it lacks is `unsupported` and nothing is sent. */
export type OperationTable = Readonly<Partial<Record<Operation, OperationCodec>>>;

/**
 * LiteLLM's environment fallbacks for params a deployment leaves out: param → variables, first
 * set wins (`model: whisper-1` with no api_key uses OPENAI_API_KEY, and so on).
 */
export type EnvDefaults = Readonly<Record<string, readonly string[]>>;

/** Everything about one provider: where it is, how it authenticates, what it serves and how. */
export interface Provider {
  /** The provider, e.g. "azure" (also for azure_text/): named in messages; groups prefixes in docs. */
  readonly name: string;
  /** gen_ai.provider.name per the OTel GenAI semantic conventions. */
  readonly genAiProvider: string;
  /** Where requests go when a deployment has no api_base. */
  readonly defaultBase?: string;
  readonly envDefaults: EnvDefaults;
  /**
   * Params that only make sense together: when an entry sets any of them itself, none of the
   * others comes from the environment.
   */
  readonly envDefaultGroups?: ReadonlyArray<readonly string[]>;
  /**
   * Where this deployment's requests go when that depends on more than the prefix (Bedrock: the
   * region). Used for server.address; falls back to api_base, then defaultBase.
   */
  baseFor?(d: Deployment): string | undefined;
  readonly operations: OperationTable;
  /**
   * Its requests are a function of the deployment and the payload alone (no signature, no clock,
   * no token fetched): each is built once and sent again while both stay the same (prepared.ts).
   */
  readonly reusableRequests?: boolean;
  /** The provider's own error message from an error body, if it has one. */
  errorMessage(body: unknown, headers?: ResponseHeaders): string | undefined;
  /** Type, code and retry delay of a non-2xx answer, where the status and body need reading. */
  errorDetails?(status: number, body: unknown, headers: ResponseHeaders): ErrorDetails | undefined;
  /** Provider answer headers reported under the common names (Anthropic's anthropic-ratelimit-*). */
  readonly headerAliases?: Readonly<Record<string, ReportedHeader>>;
}
