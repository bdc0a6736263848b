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
  /**
   * Raised limits, for an account whose limits were raised: requests per the documented window by
   * limit name, such as `{ read: 300 }` for Zyra (create, read, write, high_volume) or
   * `{ project: 500 }` for Zenifra. An unknown name is an InvalidInputError naming `rateLimits`.
   */
  readonly rateLimits?: Readonly<Record<string, number>>;
  /** Makes the backoff jitter reproducible, for tests. */
  readonly jitterSeed?: number;
  /**
   * The header that carries the key, where the API accepts more than one: "x-api-key" or
   * "authorization" (as `Authorization: Bearer`). By default the API's preferred one.
   */
  readonly authHeader?: string;
  /**
   * Sends every request through this proxy (`"http://user:pass@proxy:3128"`), in place of the
   * HTTPS_PROXY / HTTP_PROXY / NO_PROXY variables Node honours otherwise (or ZKIT_PROXY). Node only:
   * a browser uses its own settings, and refuses this with InvalidInputError.
   */
  readonly proxy?: string;
  /**
   * Trust roots beside the platform's, for a proxy that inspects TLS: PEM text, PEM bytes, or (Node)
   * a PEM file's path; or ZKIT_CA_BUNDLE. Verification is never turned off. Node only.
   */
  readonly caBundle?: string | Uint8Array;
  /** The least level logged (or ZKIT_LOG in Node); off by default. Credentials never show in records. */
  readonly log?: LogLevel;
  /** Logs request and response bodies too, redacted and cut at 4 KiB (or ZKIT_LOG_BODIES=1). */
  readonly logBodies?: boolean;
  /** Where records go: `console` by default when `log` (or ZKIT_LOG) is set. */
  readonly logger?: Logger;
  /** Called before every attempt (retries and redirects too); what it throws is logged, not raised. */
  readonly onRequest?: (request: RequestInfo) => unknown;
  /** Called after every attempt, with its status or the error that stopped it. */
  readonly onResponse?: (response: ResponseInfo) => unknown;
}

/** How much a client logs. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** What takes a client's log records (`console` is one): the message, and its fields apart. */
export interface Logger {
  /** Takes the records at level "debug": each attempt, its response, retries and waits. */
  debug?(message: string, fields: Readonly<Record<string, string>>): void;
  /** Takes the records at level "info". */
  info?(message: string, fields: Readonly<Record<string, string>>): void;
  /** Takes the records at level "warn": a rate-limit store out of reach, a deploy left to resume. */
  warn?(message: string, fields: Readonly<Record<string, string>>): void;
  /** Takes the records at level "error". */
  error?(message: string, fields: Readonly<Record<string, string>>): void;
  /** Takes the records of any level this logger has no method for. */
  log?(message: string, fields: Readonly<Record<string, string>>): void;
}

/** One attempt about to be sent, as `onRequest` sees it; credentials are redacted. */
export interface RequestInfo {
  /** The API called: "zerokie", "zenifra", "zenovay" or "zyra". */
  readonly api: string;
  /** The operation, such as "get_app", or "raw". */
  readonly operation: string;
  /** From 1; a redirect followed keeps its attempt's number. */
  readonly attempt: number;
  /** The HTTP method, such as "GET". */
  readonly method: string;
  /** The full URL, with its query. */
  readonly url: string;
  /** Name and value pairs; credentials show as "[redacted]". */
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

/** How an attempt ended, as `onResponse` sees it: a status, or the error that stopped it. */
export interface ResponseInfo {
  /** The attempt this ends. */
  readonly request: RequestInfo;
  /** The HTTP status; null when no response came. */
  readonly status: number | null;
  /** The response's headers, name and value pairs. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** The request id the API gave, from its body or header; null without one. */
  readonly requestId: string | null;
  /** Milliseconds from sending to the end of the response's headers, or to the error. */
  readonly durationMs: number;
  /** Why no response came (a broken connection, the attempt's timeout). */
  readonly error: string | null;
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
  /** The file's whole content. */
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
  /** The request id the server gave (in the body where the API puts it there, as Zyra does). */
  readonly requestId: string | null;
  /** The server's time of the answer, where the body carries it (Zyra's `meta.timestamp`). */
  readonly timestamp: string | null;
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

// ---- errors ------------------------------------------------------------------------------------

// (generated: ErrorKind, the union of every kind's name, written by generate.mjs from the core's kinds)

/** What a `ZkitError` carries besides its message. */
export interface ZkitErrorFacts {
  /** What went wrong (see `ZkitError.kind`). */
  readonly kind?: ErrorKind;
  /** The HTTP status, when a response came. */
  readonly status?: number | null;
  /** The API's error code, such as "app_not_found". */
  readonly code?: string | null;
  /** The request id the API gave. */
  readonly requestId?: string | null;
  /** The API's error details, as it sent them. */
  readonly details?: unknown;
  /** Seconds the API asked to wait (Retry-After). */
  readonly retryAfter?: number | null;
  /** The input field that was refused, such as "items[1].port". */
  readonly field?: string | null;
  /** Whether trying again may succeed. */
  readonly retryable?: boolean;
  /** The error that led to this one. */
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

// (generated: one subclass of ZkitError per kind, written by generate.mjs from the core's kinds)

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
  /** The API's waiters for `waitUntil`, by name. */
  static waiters(): { readonly [name: string]: WaiterInfo };
  /** A new client with this one's settings, except those given here. */
  withOptions(options: ClientOptions): this;
  /**
   * Polls until the waiter's state is reached; resolves to the last answer (the resource). `fields`
   * are the polled operation's parameters, with the waiter's `find` field where it has one:
   * `zerokie.waitUntil("app_running", { name: "web" })`, `zenifra.waitUntil("deployment_live", { id,
   * deployment_id })`. The waiters: Zerokie `app_running`; Zenifra `deployment_live`,
   * `project_running`; Zyra `virtual_server_running`, `virtual_server_stopped`, `ml_job_finished`,
   * `fine_tuning_job_finished`. Rejects with TimeoutError after `timeoutMs`, with ConflictError on a
   * state that cannot lead there; both carry `details.last_state` and `details.last`.
   */
  waitUntil(waiter: string, fields?: { readonly [field: string]: unknown }, options?: WaitOptions): Promise<unknown>;
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

// ---- waiters -----------------------------------------------------------------------------------

/** How long a wait lasts and how often it polls. */
export interface WaitOptions {
  /** Milliseconds to wait in all (default 600 000). */
  readonly timeoutMs?: number;
  /** The pause after the first poll (default 1 000 ms); each next pause is 1.5 times longer. */
  readonly firstDelayMs?: number;
  /** The longest pause between polls (default 15 000 ms). */
  readonly maxDelayMs?: number;
  /** Stops the wait: it rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** One waiter, as `waiters()` lists it. */
export interface WaiterInfo {
  /** What it waits for. */
  readonly doc: string;
  /** The operation it polls, whose parameters it takes. */
  readonly operation: string;
  /** The extra field naming the item to watch in a list answer, or null. */
  readonly find: string | null;
  /** The states that end the wait well. */
  readonly done: readonly string[];
  /** The states that end it with ConflictError. */
  readonly failed: readonly string[];
}

// ---- static-site deploys -----------------------------------------------------------------------

/** One file's content: text (as UTF-8), bytes, a Blob, or a file on disk (Node) with its hash if known. */
export type SiteContent =
  | string
  | Uint8Array
  | ArrayBuffer
  | ArrayBufferView
  | Blob
  | {
      /** A file on disk (Node), read when it is uploaded. */
      readonly file: string;
      /** Its SHA-256 in hex, if known: spares reading it to compare. */
      readonly sha256?: string;
    }
  | {
      /** The content itself. */
      readonly content: string | Uint8Array | ArrayBuffer | ArrayBufferView | Blob;
      /** Its SHA-256 in hex, if known. */
      readonly sha256?: string;
    };

/**
 * What a deploy publishes: a folder path (Node), an object or a Map of site paths to contents, or a
 * list of files with their `path`.
 */
export type SiteSource =
  | string
  | { readonly [path: string]: SiteContent }
  | ReadonlyMap<string, SiteContent>
  | ReadonlyArray<{
      /** The file's path on the site, such as "assets/site.css". */
      readonly path: string;
    } & Exclude<SiteContent, string | Uint8Array | ArrayBuffer | ArrayBufferView | Blob>>;

/** How a deploy runs. */
export interface DeployOptions {
  /** Plan only: list the site, say what would change, change nothing. */
  readonly dryRun?: boolean;
  /** Delete files on the site that are gone locally (default true; ignored paths are never deleted). */
  readonly deleteRemoved?: boolean;
  /** Compare content hashes with the site's manifest, not only lengths (default true). */
  readonly compareContent?: boolean;
  /** Globs of paths to leave out, on top of `.git/` and `.DS_Store`: `*.map`, `drafts/**`. */
  readonly ignore?: readonly string[];
  /** Uploads in flight at once, 1 to 64 (default 8). */
  readonly concurrency?: number;
  /** The deploy session (a UUID) to resume a deploy that still holds its lock; a fresh one otherwise. */
  readonly sessionId?: string;
  /** Milliseconds between renewals of the lock while the deploy runs (default 180 000). */
  readonly heartbeatMs?: number;
  /** Called with each event as it happens; what it throws is reported and the deploy goes on. */
  readonly onProgress?: (event: DeployEvent) => void;
  /**
   * Stops the deploy before it finalizes: it rejects with the signal's reason, and a warning names
   * the session to resume with (the lock expires on its own 30 minutes after the last heartbeat).
   */
  readonly signal?: AbortSignal;
}

/** What a deploy is doing, in order: `planned`, per file `file_started`, `bytes_sent`, `file_done`, `deleting` per removed file, `lock_renewed` at each heartbeat, `finalizing`, `done`. */
export type DeployEvent =
  | {
      /** The plan is made: what the deploy will do. */
      readonly event: "planned";
      /** Files to upload. */
      readonly uploads: number;
      /** Bytes to upload. */
      readonly upload_bytes: number;
      /** Files to delete. */
      readonly deletes: number;
      /** Files already on the site as they are. */
      readonly unchanged: number;
      /** Files the ignore rules left out. */
      readonly ignored: number;
    }
  | {
      /** A file's upload begins. */
      readonly event: "file_started";
      /** The file's path on the site. */
      readonly path: string;
      /** Its length in bytes. */
      readonly length: number;
    }
  | {
      /** Bytes of a file went out. */
      readonly event: "bytes_sent";
      /** The file's path on the site. */
      readonly path: string;
      /** Bytes of this file sent so far. */
      readonly bytes: number;
      /** Bytes of the whole deploy sent so far. */
      readonly total_sent: number;
    }
  | {
      /** A file is uploaded. */
      readonly event: "file_done";
      /** The file's path on the site. */
      readonly path: string;
      /** Its length in bytes. */
      readonly length: number;
    }
  | {
      /** A file gone locally is being deleted from the site. */
      readonly event: "deleting";
      /** The file's path on the site. */
      readonly path: string;
    }
  | {
      /** The deploy lock was renewed (a heartbeat). */
      readonly event: "lock_renewed";
    }
  | {
      /** Every file is in place; the deploy is being recorded. */
      readonly event: "finalizing";
    }
  | {
      /** The deploy ended. */
      readonly event: "done";
      /** What it did. */
      readonly report: DeployReport;
    };

/** What a deploy did (or, for a dry run, would do). */
export interface DeployReport {
  /** The app deployed to. */
  readonly app: string;
  /** The recorded deployment; null for a dry run or when nothing changed. */
  readonly deploy_id: string | null;
  /** When it was recorded (RFC 3339). */
  readonly timestamp: string | null;
  /** Whether the API purged the site's cache. */
  readonly cache_purged: boolean;
  /** The deploy session that held the lock. */
  readonly deploy_session_id: string | null;
  /** Files uploaded (the manifest is not counted). */
  readonly files_uploaded: number;
  /** Files deleted. */
  readonly files_deleted: number;
  /** Bytes uploaded. */
  readonly total_bytes: number;
  /** Files already on the site as they are. */
  readonly files_unchanged: number;
  /** The paths uploaded (planned, for a dry run). */
  readonly uploaded: readonly string[];
  /** The paths deleted (planned, for a dry run). */
  readonly deleted: readonly string[];
  /** The paths the ignore rules left out. */
  readonly ignored: readonly string[];
  /** Whether this was a dry run, which changed nothing. */
  readonly dry_run: boolean;
  /** Milliseconds the deploy took. */
  readonly elapsed_ms: number;
}

/** Zerokie's methods beyond its operations. */
export interface ZerokieExtras {
  /**
   * Deploys a static site in one call: lists the site, uploads what is new or changed (by length and
   * content hash against the manifest the last deploy left), deletes what is gone, leaves out
   * `.git/`, `.DS_Store` and `ignore`, `concurrency` uploads at a time while a heartbeat keeps the
   * deploy lock, then finalizes. A folder's files stream from disk. A lock held by another deploy
   * rejects with ConflictError.
   */
  deploySite(app: string, source: SiteSource, options?: DeployOptions): Promise<DeployReport>;
}
