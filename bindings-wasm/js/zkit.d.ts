// ---- settings and options ----------------------------------------------------------------------

/** A client's settings. Each one may be left out; `null` removes a time limit. */
export interface ClientOptions {
  /** The API key; in Node, `<API>_API_KEY` (such as ZEROKIE_API_KEY) when not given. */
  readonly apiKey?: string | null;
  /** The base URL (such as a sandbox's); in Node, `<API>_BASE_URL` or the API's documented URL. */
  readonly baseUrl?: string | null;
  /** Milliseconds one attempt may take (default 60 000); `null` removes the limit. */
  readonly timeoutMs?: number | null;
  /** Milliseconds a whole call may take, retries and waits included (default 180 000); `null` removes the limit. */
  readonly deadlineMs?: number | null;
  /** Retries after the first attempt (default 2). */
  readonly maxRetries?: number;
  /** Whether the client-side limiter paces calls to the API's documented limits (default true). */
  readonly rateLimit?: boolean;
  /** Makes the backoff jitter reproducible, for tests. */
  readonly jitterSeed?: number;
  /**
   * The header that carries the key, where the API accepts more than one: "x-api-key" or
   * "authorization" (as `Authorization: Bearer`). By default the API's preferred one.
   */
  readonly authHeader?: string;
}

/** Settings for one call, overriding the client's. */
export interface CallOptions {
  /** Aborts the call: it rejects with the signal's reason (an `AbortError` by default) and its request is dropped. */
  readonly signal?: AbortSignal;
  /** Milliseconds one attempt may take; `null` removes the limit. */
  readonly timeoutMs?: number | null;
  /** Milliseconds the whole call may take, retries and waits included; `null` removes the limit. */
  readonly deadlineMs?: number | null;
  /** Retries after the first attempt. */
  readonly maxRetries?: number;
  /** Sent as Idempotency-Key; makes retrying a non-idempotent operation safe. */
  readonly idempotencyKey?: string;
  /** Whether the client-side limiter paces this call. */
  readonly rateLimit?: boolean;
}

/** Settings of a walk over a paged list: every page's call options, and a cap on pages. */
export interface PageOptions extends CallOptions {
  /**
   * The most pages the walk fetches (default 1000); one more page with items left is a DecodeError
   * rather than a walk that never ends. A signal aborts the page in flight.
   */
  readonly maxPages?: number;
}

/** What a raw call's query parameter may be; numbers and booleans are sent as their text. */
export type QueryValue = string | number | boolean;

/** An open file whose bytes an upload reads (Node's `fs.promises` FileHandle is one). */
export interface FileHandle {
  readFile(): Promise<Uint8Array>;
}

/** A raw call: what to send, and the call's options. */
export interface RawOptions extends CallOptions {
  /** Query parameters. */
  readonly query?: { readonly [name: string]: QueryValue | undefined };
  /** A value sent as JSON (Content-Type application/json unless `contentType` says otherwise). */
  readonly json?: unknown;
  /** A body sent as it is (a string as UTF-8). */
  readonly body?: Uint8Array | string;
  /** The body's Content-Type (default application/octet-stream for `body`). */
  readonly contentType?: string;
}

// ---- responses ---------------------------------------------------------------------------------

/** A call's result with the facts of its HTTP response. */
export interface ApiResponse<T> {
  /** The decoded result. */
  readonly data: T;
  /** The HTTP status of the successful attempt. */
  readonly status: number;
  /** Its headers, with lower-case names. */
  readonly headers: { readonly [name: string]: string };
  /** The request id the server gave. */
  readonly requestId: string | null;
  /** How many attempts the call took. */
  readonly attempts: number;
}

/** What a raw call got back. */
export declare class RawResponse {
  private constructor();
  /** The HTTP status. */
  readonly status: number;
  /** The headers, with lower-case names. */
  readonly headers: { readonly [name: string]: string };
  /** The body as sent. */
  readonly body: Uint8Array;
  /** The request id the server gave. */
  readonly requestId: string | null;
  /** How many attempts the call took. */
  readonly attempts: number;
  /** The body decoded as UTF-8 (undecodable bytes replaced). */
  text(): string;
  /** The body parsed as JSON; null for an empty body. */
  json(): unknown;
}

/** One operation of an API's schema. */
export interface OperationSchema {
  /** The snake_case name, as `callJson` takes it. */
  readonly name: string;
  readonly doc: string;
  readonly method: string;
  readonly path: string;
  readonly idempotent: boolean;
  readonly input: unknown;
  readonly output: unknown;
  readonly [key: string]: unknown;
}

/** An API's operation schema, built by the core from its operation table. */
export interface ApiSchema {
  readonly api: string;
  readonly env_prefix: string;
  readonly default_base_url: string;
  readonly operations: readonly OperationSchema[];
  readonly [key: string]: unknown;
}

// ---- errors ------------------------------------------------------------------------------------

/** What went wrong, the same snake_case name in every zkit language. */
export type ErrorKind =
  | "bad_request"
  | "unauthorized"
  | "payment_required"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "rate_limited"
  | "server"
  | "upstream"
  | "timeout"
  | "connection"
  | "decode"
  | "invalid_input"
  | "closed"
  | "internal";

/** What a `ZkitError` carries besides its message. */
export interface ZkitErrorFacts {
  readonly kind?: ErrorKind;
  readonly status?: number | null;
  readonly code?: string | null;
  readonly requestId?: string | null;
  readonly details?: unknown;
  readonly retryAfter?: number | null;
  readonly field?: string | null;
  readonly retryable?: boolean;
  readonly cause?: unknown;
}

/**
 * Any failure of a zkit call; catch a subclass, or test `kind`, to handle one kind of failure.
 * `kind` "closed" is a call on a closed client; "internal" is a bug in zkit (after which zkit
 * cannot be used in this process). Messages never contain a credential.
 */
export declare class ZkitError extends Error {
  constructor(message: string, facts?: ZkitErrorFacts);
  /** What went wrong. */
  readonly kind: ErrorKind;
  /** The HTTP status, when the server answered. */
  readonly status: number | null;
  /** The API's own error code, when it sent one. */
  readonly code: string | null;
  /** The request id, to quote to the API's support. */
  readonly requestId: string | null;
  /** Structured details the server sent with the error, or null. */
  readonly details: unknown;
  /** How many seconds the server asked to wait before trying again. */
  readonly retryAfter: number | null;
  /** The input field a refused input is about. */
  readonly field: string | null;
  /** Whether the same call could succeed if tried again later. */
  readonly retryable: boolean;
}

/** 400 (and other 4xx without a kind of their own): the server refused the request as invalid. */
export declare class BadRequestError extends ZkitError {
  readonly kind: "bad_request";
}
/** 401: the key is missing, invalid, revoked or expired. */
export declare class AuthenticationError extends ZkitError {
  readonly kind: "unauthorized";
}
/** 402: the current plan does not allow the requested feature. */
export declare class PaymentRequiredError extends ZkitError {
  readonly kind: "payment_required";
}
/** 403: the key lacks the permission, scope or role. */
export declare class PermissionDeniedError extends ZkitError {
  readonly kind: "forbidden";
}
/** 404: the resource does not exist. */
export declare class NotFoundError extends ZkitError {
  readonly kind: "not_found";
}
/** 409: the resource exists or is in a state that forbids the operation. */
export declare class ConflictError extends ZkitError {
  readonly kind: "conflict";
}
/** 429: too many requests; `retryAfter` says how many seconds to wait when the server said so. */
export declare class RateLimitError extends ZkitError {
  readonly kind: "rate_limited";
}
/** 5xx: the server failed. */
export declare class ServerError extends ZkitError {
  readonly kind: "server" | "upstream";
}
/** 502: a service behind the API failed. */
export declare class UpstreamError extends ServerError {
  readonly kind: "upstream";
}
/** The attempt or the call's deadline ran out (or the server answered 408). */
export declare class TimeoutError extends ZkitError {
  readonly kind: "timeout";
}
/** The connection could not be made or broke off. */
export declare class ConnectionError extends ZkitError {
  readonly kind: "connection";
}
/** The response could not be read as the expected type. */
export declare class DecodeError extends ZkitError {
  readonly kind: "decode";
}
/** The input was refused before anything was sent; `field` names the culprit. */
export declare class InvalidInputError extends ZkitError {
  readonly kind: "invalid_input";
}

// ---- the clients -------------------------------------------------------------------------------

/**
 * A lazy walk over a paged list (`P` its pages, `T` their items), from a client's `iter…` methods:
 * `for await (const item of walk)` gives the items, `walk.pages()` the pages. Nothing is fetched until
 * the walk starts; then one request a page, each made when the page before is used up. Each walk
 * starts afresh from the first page. A page that does not start where it was asked to, or one page
 * too many for `maxPages`, rejects with DecodeError.
 */
export declare class Pages<P, T> implements AsyncIterable<T> {
  private constructor();
  /** The pages, each with its `items`, `total`, `offset` and `limit`. */
  pages(): AsyncGenerator<P, void, undefined>;
  /** The items of every page, in order. */
  [Symbol.asyncIterator](): AsyncGenerator<T, void, undefined>;
}

/** What every API client shares: settings, the generic call, raw calls, closing. */
export declare abstract class ZkitClient {
  /**
   * A client. Unset `apiKey` and `baseUrl` are read, in Node, from the API's environment variables
   * (ZEROKIE_API_KEY, ZEROKIE_BASE_URL, …). Throws InvalidInputError (field "apiKey") without a key.
   */
  constructor(options?: ClientOptions);
  /** The API's operation schema: operations, docs, input and output JSON Schemas. */
  static schema(): ApiSchema;
  /** A new client with this one's settings, except those given here. */
  withOptions(options: ClientOptions): this;
  /**
   * Calls an operation by its snake_case name (as in the API's operation table) with JSON-shaped
   * input; resolves to the decoded JSON with the status, headers, request id and attempt count.
   */
  callJson(
    operation: string,
    input?: { readonly [field: string]: unknown },
    options?: CallOptions,
  ): Promise<ApiResponse<unknown>>;
  /**
   * Sends any request, relative to the base URL (such as "/v1/apps"), with this client's auth,
   * retries and errors: for what the typed methods do not cover.
   */
  raw(method: string, path: string, options?: RawOptions): Promise<RawResponse>;
  /** Closes the client; calls in flight finish, later calls reject with kind "closed". */
  close(): void;
  /** The client's API and base URL, with a preview of the key at most. */
  toString(): string;
}

/** A fresh deploy session id (a version 4 UUID) for Zerokie's deploy lock. */
export declare function newDeploySessionId(): string;
