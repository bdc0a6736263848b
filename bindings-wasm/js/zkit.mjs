// zkit for JavaScript: the layer every entry point shares (Node's require and import, browsers).
//
// The native module (the core compiled to WebAssembly by wasm-bindgen) has one class per API with a
// generic `call(operation, input, options)` returning a Promise, a generic walk over paged lists
// (`pages`, whose `nextPage` returns a Promise), a raw call, `close`, `describe` and the API's
// waiters. This layer
//   - turns the plain error objects the native module throws into `ZkitError` subclasses, and a trap
//     (a panic in the core) into `ZkitError` of kind "internal";
//   - refuses unknown option and parameter names before anything is sent;
//   - reads `<API>_API_KEY` (or `<API>_EMAIL` and `<API>_PASSWORD`) and `<API>_BASE_URL` from the
//     host's environment (Node) when not given;
//   - makes the walks async iterables (`Pages`), and binary fields of results Uint8Arrays;
//   - hosts the per-API classes generated from the contracts (clients.mjs: one method per operation);
//   - gathers a site's files for Zerokie's `deploySite` (a folder, in Node, through the host) and
//     spells the options of deploys and waits as the core does.
// Retries, Retry-After, timeouts, rate limiting, auth and redaction all happen in the core.
//
// Written once, as an ES module with only `import { … } from` and `export` declarations, so that
// assemble.mjs can make the CommonJS copy for `require` by a plain textual transformation.

import { defineClients } from './clients.mjs';
import { defineErrors } from './errors.mjs';

// ---- errors ------------------------------------------------------------------------------------

/** Any failure of a zkit call. Catch a subclass, or test `kind`, to handle one kind of failure. */
export class ZkitError extends Error {
  constructor(message, facts = {}) {
    super(message, facts.cause === undefined ? undefined : { cause: facts.cause });
    this.kind = facts.kind ?? 'internal';
    this.status = facts.status ?? null;
    this.code = facts.code ?? null;
    this.requestId = facts.requestId ?? null;
    this.details = facts.details ?? null;
    this.retryAfter = facts.retryAfter ?? null;
    this.field = facts.field ?? null;
    this.retryable = facts.retryable ?? false;
  }

  /** "NotFoundError (404): app not found [request id req_…]" */
  toString() {
    const status = this.status === null ? '' : ` (${this.status})`;
    const requestId = this.requestId === null ? '' : ` [request id ${this.requestId}]`;
    return `${this.name}${status}: ${this.message}${requestId}`;
  }
}

// One subclass per kind of the core's taxonomy, generated from the core's list of kinds (errors.mjs).
const { classes: ERRORS, byKind: ERROR_CLASSES } = defineErrors(ZkitError);
const { InvalidInputError } = ERRORS;

// `name` on each prototype (not on instances), so that stack traces start with the class name.
for (const cls of [ZkitError, ...new Set(Object.values(ERROR_CLASSES))]) {
  Object.defineProperty(cls.prototype, 'name', { value: cls.name, writable: true, configurable: true });
}

/** The `ZkitError` subclass for an error object of the native module (`{zkitError: true, kind, …}`). */
export function errorFromNative(raw) {
  const cls = ERROR_CLASSES[raw.kind] ?? ZkitError;
  return new cls(String(raw.message ?? raw.kind), {
    kind: raw.kind,
    status: raw.status,
    code: raw.code,
    requestId: raw.requestId,
    details: raw.details,
    retryAfter: raw.retryAfter,
    field: raw.field,
    retryable: raw.retryable === true,
  });
}

function isNativeError(value) {
  return value !== null && typeof value === 'object' && value.zkitError === true;
}

/** Input refused on the JavaScript side, worded as the core words its own refusals. */
function invalidInput(field, message) {
  return new InvalidInputError(`${field}: ${message}`, { kind: 'invalid_input', field });
}

// ---- responses ---------------------------------------------------------------------------------

/** What a raw call got back: status, headers, body, request id and the number of attempts. */
export class RawResponse {
  constructor(raw) {
    this.status = raw.status;
    this.headers = raw.headers;
    this.body = raw.body;
    this.requestId = raw.requestId ?? null;
    this.attempts = raw.attempts;
  }

  /** The body decoded as UTF-8 (undecodable bytes replaced). */
  text() {
    return new TextDecoder().decode(this.body);
  }

  /** The body parsed as JSON; null for an empty body. */
  json() {
    const text = this.text();
    return text.trim() === '' ? null : JSON.parse(text);
  }
}

function apiResponse(data, meta) {
  return {
    data,
    status: meta.status,
    headers: meta.headers,
    requestId: meta.requestId ?? null,
    timestamp: meta.timestamp ?? null,
    attempts: meta.attempts,
  };
}

// ---- values and options ------------------------------------------------------------------------

const CLIENT_OPTIONS = [
  'apiKey',
  'baseUrl',
  'timeoutMs',
  'deadlineMs',
  'maxRetries',
  'rateLimit',
  'rateLimits',
  'jitterSeed',
  'authHeader',
  'proxy',
  'caBundle',
  'log',
  'logBodies',
  'logger',
  'onRequest',
  'onResponse',
];
const LOG_LEVELS = ['debug', 'info', 'warn', 'error'];
/** The settings a client of `api` takes: every API's, a login's, and its own (such as Zenifra's `organizationId`). */
function clientOptions(api) {
  return [...CLIENT_OPTIONS, ...(api.login ? ['email', 'password'] : []), ...api.settings.map((setting) => setting.name)];
}

const CALL_OPTIONS = ['signal', 'timeoutMs', 'deadlineMs', 'maxRetries', 'idempotencyKey', 'rateLimit'];
const RAW_OPTIONS = ['query', 'json', 'body', 'contentType', ...CALL_OPTIONS];
const PAGE_OPTIONS = ['maxPages', ...CALL_OPTIONS];
const WAIT_OPTIONS = ['timeoutMs', 'firstDelayMs', 'maxDelayMs', 'signal'];
const DEPLOY_OPTIONS = [
  'dryRun',
  'deleteRemoved',
  'compareContent',
  'ignore',
  'concurrency',
  'sessionId',
  'heartbeatMs',
  'onProgress',
  'signal',
];

/** `dryRun` → `dry_run`: how the core spells an option. */
function snakeCase(name) {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** The options (but `signal` and `onProgress`) with the core's names. */
function coreOptions(options) {
  const out = {};
  for (const [key, value] of Object.entries(options)) {
    if (key !== 'signal' && key !== 'onProgress') out[snakeCase(key)] = plain(value, key);
  }
  return out;
}

/**
 * A site's files as the native side takes them: `{path, content}` or `{path, file, sha256?}`. The
 * source is a folder path (Node), an object or a Map of site paths to contents (a string, bytes, a
 * Blob, or `{file}` naming a file on disk, with its `sha256` if known), or a list of such entries
 * with their `path`.
 */
async function siteEntries(source, host) {
  if (typeof source === 'string') {
    if (!host.siteFolder) throw invalidInput('source', 'a folder is read in Node; in a browser, give the files');
    try {
      return host.siteFolder(source);
    } catch (error) {
      throw invalidInput('source', error.message);
    }
  }
  let pairs;
  if (source instanceof Map) pairs = [...source];
  else if (Array.isArray(source)) pairs = source.map((entry) => [entry?.path, entry]);
  else if (isPlainObject(source)) pairs = Object.entries(source);
  else throw invalidInput('source', 'must be a folder path, an object or a Map of site paths to contents, or a list of files');
  const entries = [];
  for (const [path, given] of pairs) {
    if (typeof path !== 'string') throw invalidInput('path', 'every file needs its site path as a string');
    const described = given !== null && typeof given === 'object' && ('file' in given || 'content' in given);
    let content = described ? given.content : given;
    if (typeof Blob !== 'undefined' && content instanceof Blob) content = new Uint8Array(await content.arrayBuffer());
    if (described && typeof given.file === 'string') {
      entries.push({ path, file: given.file, sha256: given.sha256 });
    } else if (content === undefined || content === null) {
      throw invalidInput('content', `${path}: give its content (a string, bytes or a Blob) or {file}`);
    } else {
      entries.push({ path, content: bytes(content, 'content'), sha256: described ? given.sha256 : undefined });
    }
  }
  return entries;
}

function isPlainObject(value) {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  // Object.prototype of this realm or another one (a vm context, an iframe), or none.
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** The names `given` sets (undefined counts as unset), refusing names not in `allowed`. */
function pick(caller, given, allowed) {
  if (given === undefined || given === null) return {};
  if (!isPlainObject(given)) throw new TypeError(`${caller}: options must be a plain object`);
  const out = {};
  for (const [key, value] of Object.entries(given)) {
    if (!allowed.includes(key)) throw new TypeError(`${caller}: unknown option "${key}"`);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** An operation's input from a typed method's `params`, refusing names it does not take. */
function operationInput(spec, caller, params) {
  if (spec.input === 'none' || (params === undefined && spec.input !== 'required')) return {};
  if (!isPlainObject(params)) throw new TypeError(`${caller} takes an object of its parameters`);
  for (const key of Object.keys(params)) {
    if (!spec.fields.includes(key)) throw invalidInput(key, `is not a parameter of ${spec.method}`);
  }
  return plain(params, '');
}

/**
 * `params` with what an upload names but the core cannot take as it is made bytes: a `Blob`'s
 * content, or an open `fs.promises` FileHandle at `file` (which cannot be reopened for a retry), read
 * here and sent as `content`. A path at `file` goes to the core, which streams it from disk in Node.
 */
async function readBodies(params) {
  if (!isPlainObject(params)) return params;
  let { content, file } = params;
  if (typeof Blob !== 'undefined' && content instanceof Blob) content = new Uint8Array(await content.arrayBuffer());
  if (typeof file?.readFile === 'function') {
    if (content !== undefined && content !== null) throw invalidInput('file', 'give content or file, not both');
    content = await file.readFile();
    file = undefined;
  }
  if (content === params.content && file === params.file) return params;
  const { file: _read, ...rest } = params;
  return file === undefined ? { ...rest, content } : { ...rest, content, file };
}

/** `value` as the native side takes JSON: plain objects and arrays, primitives, Uint8Array. */
function plain(value, path) {
  if (value === null || typeof value !== 'object') return value; // the native side names what it refuses
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (Array.isArray(value)) return value.map((item, index) => plain(item, `${path}[${index}]`));
  if (!isPlainObject(value)) {
    const kind = value.constructor?.name ?? 'object';
    throw invalidInput(path || 'input', `must be a plain object, an array, a string, a number, a boolean, null or a Uint8Array, not ${kind}`);
  }
  const out = {};
  for (const [key, item] of Object.entries(value)) {
    if (item !== undefined) out[key] = plain(item, path ? `${path}.${key}` : key);
  }
  return out;
}

/**
 * `value` with the byte arrays at `paths` ("content", "items.*.content": see generate.mjs) made
 * Uint8Arrays: JSON carries binary fields as arrays of numbers.
 */
function withBytes(value, paths = []) {
  const convert = (node, [step, ...rest]) => {
    if (step === undefined) return Array.isArray(node) ? Uint8Array.from(node) : node;
    if (node === null || typeof node !== 'object') return node;
    if (step === '*') {
      if (Array.isArray(node)) node.forEach((item, index) => (node[index] = convert(item, rest)));
    } else if (Object.hasOwn(node, step)) {
      node[step] = convert(node[step], rest);
    }
    return node;
  };
  return paths.reduce((node, path) => convert(node, path === '' ? [] : path.split('.')), value);
}

function bytes(value, field) {
  if (typeof value === 'string') return new TextEncoder().encode(value);
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw invalidInput(field, 'must be a string or a Uint8Array');
}

/**
 * The native side's options for one call, with the caller's signal replaced by one of the call's
 * own: the caller's signal gets one listener, removed when the call settles, so a long-lived signal
 * shared by many calls does not collect listeners.
 */
function callOptions(options) {
  const { signal, ...rest } = options;
  if (signal === undefined || signal === null) return { native: rest, release() {} };
  if (typeof AbortSignal === 'undefined' || !(signal instanceof AbortSignal)) {
    throw invalidInput('signal', 'must be an AbortSignal');
  }
  if (signal.aborted) return { native: { ...rest, signal }, release() {} };
  const controller = new AbortController();
  const forward = () => controller.abort(signal.reason);
  signal.addEventListener('abort', forward, { once: true });
  return {
    native: { ...rest, signal: controller.signal },
    release: () => signal.removeEventListener('abort', forward),
  };
}

// ---- the bridge to the native module -----------------------------------------------------------

const UNUSABLE = 'zkit cannot be used after an internal error; restart the process (or reload the page)';

/**
 * Calls into the native module. A trap (a panic in the core: WebAssembly.RuntimeError) leaves the
 * module unusable: it becomes a ZkitError of kind "internal" with the panic's message, every call
 * still waiting is rejected with it, and later calls are refused with it.
 */
class Bridge {
  #native;
  #report;
  #broken = null;
  #pending = new Set();

  constructor(native, host) {
    this.#native = native;
    this.#report = host.report ?? (() => {});
    // A panic inside an asynchronous step of the core is thrown where no caller can catch it (the
    // executor's microtask); the host reports such uncaught errors here.
    host.onUncaught?.((error) => {
      if (this.#broken === null && error instanceof WebAssembly.RuntimeError) {
        const panic = this.#panicMessage();
        if (panic !== undefined) {
          this.#break(error, panic);
          this.#report(`zkit: internal error (a panic in the zkit core): ${panic}. ${UNUSABLE}.`);
        }
      }
    });
  }

  get native() {
    return this.#native;
  }

  /** Whether a trap left the module unusable. */
  get broken() {
    return this.#broken !== null;
  }

  /** Runs a synchronous native call. */
  run(action) {
    if (this.#broken !== null) throw this.#unusable();
    try {
      return action();
    } catch (error) {
      throw this.#convert(error);
    }
  }

  /** Runs a native call that returns a Promise; settles with its value or its converted error. */
  settle(action) {
    return new Promise((resolve, reject) => {
      const promise = this.run(action);
      this.#pending.add(reject);
      promise.then(
        (value) => {
          this.#pending.delete(reject);
          resolve(value);
        },
        (error) => {
          this.#pending.delete(reject);
          reject(this.#convert(error));
        },
      );
    });
  }

  #convert(error) {
    if (isNativeError(error)) return errorFromNative(error);
    if (error instanceof WebAssembly.RuntimeError) return this.#break(error, this.#panicMessage());
    return error; // an AbortSignal's reason, or a TypeError of the glue
  }

  #panicMessage() {
    try {
      return this.#native.takePanicMessage() ?? undefined;
    } catch {
      return undefined;
    }
  }

  #break(cause, panic) {
    if (this.#broken === null) {
      const message = `internal error in zkit: ${panic ?? cause.message}`;
      this.#broken = new ZkitError(message, { kind: 'internal', cause });
      for (const reject of this.#pending) reject(this.#broken);
      this.#pending.clear();
    }
    return this.#broken;
  }

  #unusable() {
    return new ZkitError(`${UNUSABLE} (${this.#broken.message})`, { kind: 'internal', cause: this.#broken });
  }
}

// ---- settings every client shares, from the options or the environment -------------------------

/** A setting from a `ZKIT_*` variable: `read(text)` gives its value, or undefined when it is unreadable. */
function fromEnv(env, name, read, expected) {
  const text = env(name);
  if (text === undefined) return undefined;
  const value = read(text.trim());
  if (value === undefined) throw invalidInput(name, `must be ${expected}`);
  return value;
}

/**
 * The native settings for logs, hooks, the proxy and trust roots, and the `ZKIT_*` variables for
 * what the options left out: `logSink` and `hooks` are this layer's functions, calling the user's
 * `logger` and `onRequest` / `onResponse` and catching what they throw.
 */
function observing(options, env, host) {
  const out = {};
  out.maxRetries = options.maxRetries ?? fromEnv(env, 'ZKIT_MAX_RETRIES', (t) => (/^\d+$/.test(t) ? Number(t) : undefined), 'a whole number of retries');
  out.timeoutMs = options.timeoutMs !== undefined ? options.timeoutMs : fromEnv(env, 'ZKIT_TIMEOUT', (t) => (/^\d+(\.\d+)?$/.test(t) ? Number(t) * 1000 : undefined), 'a number of seconds');
  out.log = options.log ?? fromEnv(env, 'ZKIT_LOG', (t) => (t.toLowerCase() === 'warning' ? 'warn' : LOG_LEVELS.includes(t.toLowerCase()) ? t.toLowerCase() : undefined), 'debug, info, warn or error');
  if (out.log !== undefined && !LOG_LEVELS.includes(out.log)) throw invalidInput('log', 'must be debug, info, warn or error');
  out.logBodies = options.logBodies ?? (env('ZKIT_LOG_BODIES') === undefined ? undefined : ['1', 'true', 'yes', 'on'].includes(env('ZKIT_LOG_BODIES')));
  out.proxy = options.proxy ?? env('ZKIT_PROXY');
  const bundle = options.caBundle ?? env('ZKIT_CA_BUNDLE');
  if (bundle !== undefined && bundle !== null) out.caBundle = pemText(bundle, host);
  const logger = options.logger ?? (out.log !== undefined ? consoleLogger() : undefined);
  if (logger !== undefined && (logger === null || typeof logger !== 'object')) {
    throw invalidInput('logger', 'must be an object with debug, info, warn and error methods');
  }
  const report = (text) => (logger ? callLogger(logger, 'warn', text, {}) : host.warn?.(text, 'ZKIT_HOOK_FAILED'));
  if (logger !== undefined) out.logSink = (level, message, fields) => callLogger(logger, level, message, fields);
  const hooks = { request: options.onRequest, response: options.onResponse };
  for (const [event, hook] of Object.entries(hooks)) {
    if (hook !== undefined && typeof hook !== 'function') throw invalidInput(event === 'request' ? 'onRequest' : 'onResponse', 'must be a function');
  }
  if (hooks.request || hooks.response) {
    out.hooks = (event, info) => {
      const hook = hooks[event];
      if (hook === undefined) return;
      const failed = (error) => report(`zkit: the on${event === 'request' ? 'Request' : 'Response'} hook threw ${error?.stack ?? error}; the call goes on`);
      try {
        const result = hook(info);
        if (result && typeof result.then === 'function') result.then(undefined, failed);
      } catch (error) {
        failed(error);
      }
    };
  }
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out;
}

/** Writes `message` with `logger[level]` (else `logger.log`); a logger that throws is left alone. */
function callLogger(logger, level, message, fields) {
  const write = typeof logger[level] === 'function' ? logger[level] : logger.log;
  try {
    write?.call(logger, message, fields);
  } catch {}
}

/** The console, writing each record's one line (its fields are in the line already). */
function consoleLogger() {
  return Object.fromEntries(LOG_LEVELS.map((level) => [level, (message) => console[level](message)]));
}

/** A CA bundle as PEM text: PEM text or bytes as given, or a file's (Node) when given a path. */
function pemText(bundle, host) {
  if (bundle instanceof Uint8Array) return new TextDecoder().decode(bundle);
  if (typeof bundle !== 'string') throw invalidInput('caBundle', 'must be PEM text, PEM bytes or a file path');
  if (bundle.includes('-----BEGIN')) return bundle;
  if (!host.readText) throw invalidInput('caBundle', 'a path can be read in Node only; pass the PEM text');
  try {
    return host.readText(bundle);
  } catch (error) {
    throw invalidInput('caBundle', `cannot read ${bundle}: ${error.message}`);
  }
}

// ---- the clients -------------------------------------------------------------------------------

// Keys of the generated classes' hooks, out of reach of user code.
const CALL = Symbol('zkit.call');
const PAGES = Symbol('zkit.pages');
const API = Symbol('zkit.api');
const NATIVE = Symbol('zkit.native');
// What only a client may hand to `Pages`.
const WALK = Symbol('zkit.walk');

/**
 * The package's exports on top of `native`, the wasm-bindgen module (`NativeZerokie`, …,
 * `takePanicMessage`). `host` tells what the platform offers: `env(name)` reads an environment
 * variable (Node), `onUncaught(listener)` reports uncaught errors, `report(text)` writes a line for
 * the developer, `warn(text, code)` warns the developer (Node's process warnings), `randomUUID()` makes a
 * UUID (else `crypto.randomUUID`), `siteFolder(path)` lists a folder's files for a deploy (Node), `readText(path)` reads a
 * file (Node: a CA bundle's path),
 * `http` lends the core files and an HTTP client (Node).
 */
export function createZkit(native, host = {}) {
  const bridge = new Bridge(native, host);
  if (host.http) native.setHost(host.http.fileSize, host.http.sha256File, host.http.send);
  const newSessionId = () => (host.randomUUID ? host.randomUUID() : globalThis.crypto.randomUUID());
  const env = (name) => {
    const value = host.env?.(name);
    return typeof value === 'string' && value !== '' ? value : undefined;
  };

  /**
   * A lazy walk over a paged list, from a client's `iter…` methods: `for await` gives the items,
   * `pages()` the pages. Each walk starts afresh and fetches one page when the one before is used up.
   */
  class Pages {
    #walk;

    constructor(token, walk) {
      if (token !== WALK) throw new TypeError('Pages come from the iter… methods of a client, such as zyra.iterDevices()');
      this.#walk = walk;
    }

    /** The pages, one request each, as they are asked for. */
    pages() {
      return this.#walk();
    }

    async *[Symbol.asyncIterator]() {
      for await (const page of this.#walk()) yield* page.items;
    }
  }

  /** What every API client shares: settings, the generic call, raw calls, closing. */
  class ZkitClient {
    #native;
    #settings;

    constructor(options) {
      const api = new.target[API];
      if (api === undefined) throw new TypeError('ZkitClient is the base of the API clients; use Zerokie');
      const settings = pick(`new ${api.name}()`, options, clientOptions(api));
      const config = { ...settings };
      // As the core reads them natively: the key, else a login, unless a login was given.
      if (config.email == null && config.password == null) {
        config.apiKey ??= env(`${api.envPrefix}_API_KEY`);
        if (api.login && config.apiKey == null) {
          config.email = env(`${api.envPrefix}_EMAIL`);
          config.password = env(`${api.envPrefix}_PASSWORD`);
        }
      }
      config.baseUrl ??= env(`${api.envPrefix}_BASE_URL`);
      for (const setting of api.settings) config[setting.name] ??= env(setting.env);
      Object.assign(config, observing(config, env, host));
      const NativeClass = bridge.native[api.native];
      this.#native = bridge.run(() => new NativeClass(config));
      this.#settings = settings;
    }

    /** The API's waiters for `waitUntil`, by name: `doc`, `operation`, `find`, `done`, `failed`. */
    static waiters() {
      const api = this[API];
      if (api === undefined) throw new TypeError('ZkitClient.waiters(): call it on an API class, such as Zerokie');
      return bridge.run(() => bridge.native[api.native].waiters());
    }

    /**
     * Polls until the waiter's state is reached; resolves to the last answer. `fields` are the
     * polled operation's parameters (and the waiter's `find` field). Pauses start at `firstDelayMs`
     * (1 000) and grow 1.5 times up to `maxDelayMs` (15 000); after `timeoutMs` (600 000) it rejects
     * with TimeoutError, on a state that cannot lead there with ConflictError, both with
     * `details.last_state` and `details.last`.
     */
    async waitUntil(waiter, fields, options) {
      if (typeof waiter !== 'string') throw new TypeError('waitUntil(): the waiter name must be a string');
      if (fields !== undefined && fields !== null && !isPlainObject(fields)) {
        throw new TypeError('waitUntil(): the fields must be a plain object');
      }
      const { signal, ...pacing } = pick('waitUntil()', options, WAIT_OPTIONS);
      const { native, release } = callOptions({ signal });
      try {
        return await bridge.settle(() => this.#native.waitUntil(waiter, plain(fields ?? {}, ''), coreOptions(pacing), native));
      } finally {
        release();
      }
    }

    /** Runs `action(native)`, a native call returning a Promise, for the methods defined beside the class. */
    [NATIVE](action) {
      return bridge.settle(() => action(this.#native));
    }

    /** A new client with this one's settings, except those given here. */
    withOptions(options) {
      const changes = pick(`${this.constructor.name}.withOptions()`, options, clientOptions(this.constructor[API]));
      return new this.constructor({ ...this.#settings, ...changes });
    }

    /**
     * Calls an operation by its snake_case name (as in the API's operation table) with JSON-shaped
     * input; resolves to the decoded JSON with the status, headers, request id and attempt count.
     */
    async callJson(operation, input, options) {
      if (typeof operation !== 'string') throw new TypeError('callJson(): the operation name must be a string');
      if (input !== undefined && input !== null && !isPlainObject(input)) {
        throw new TypeError('callJson(): the input must be a plain object');
      }
      return this.#send(operation, plain(input ?? {}, ''), pick('callJson()', options, CALL_OPTIONS), true);
    }

    /**
     * Sends any request, relative to the base URL (such as "/v1/apps"), with this client's auth,
     * retries and errors: for what the typed methods do not cover. `json` is sent as JSON, `body`
     * as it is; an error status rejects as any call does.
     */
    async raw(method, path, options) {
      if (typeof method !== 'string' || typeof path !== 'string') {
        throw new TypeError('raw(): the method and the path must be strings');
      }
      const { query, json, body, contentType, ...rest } = pick('raw()', options, RAW_OPTIONS);
      if (json !== undefined && body !== undefined) throw new TypeError('raw(): give json or body, not both');
      let content;
      let type = contentType;
      if (json !== undefined) {
        content = new TextEncoder().encode(JSON.stringify(plain(json, 'json')));
        type ??= 'application/json';
      } else if (body !== undefined) {
        content = bytes(body, 'body');
      }
      let pairs;
      if (query !== undefined && query !== null) {
        if (!isPlainObject(query)) throw new TypeError('raw(): query must be a plain object');
        pairs = {};
        for (const [key, value] of Object.entries(query)) {
          if (value === undefined) continue;
          if (!['string', 'number', 'boolean'].includes(typeof value)) {
            throw invalidInput(`query.${key}`, 'must be a string, a number or a boolean');
          }
          pairs[key] = String(value);
        }
      }
      const { native, release } = callOptions(rest);
      try {
        const raw = await bridge.settle(() =>
          this.#native.raw(method.toUpperCase(), path, pairs, content, type, native),
        );
        return new RawResponse(raw);
      } finally {
        release();
      }
    }

    /** Closes the client; calls in flight finish, later calls reject with kind "closed". */
    close() {
      if (!bridge.broken) bridge.run(() => this.#native.close());
    }

    /** `Zerokie(baseUrl="…", apiKey="zrk_…ffee")`: the key shows as a preview at most. */
    toString() {
      if (bridge.broken) return `${this.constructor.name}(unusable after an internal error)`;
      return bridge.run(() => this.#native.describe());
    }

    [Symbol.for('nodejs.util.inspect.custom')]() {
      return this.toString();
    }

    /** The typed operation methods, each resolving to `{data, status, headers, requestId, attempts}`. */
    get withResponse() {
      const methods = {};
      for (const [operation, spec] of Object.entries(this.constructor[API].operations)) {
        methods[spec.method] =
          spec.input === 'none'
            ? (options) => this[CALL](operation, undefined, options, true)
            : (params, options) => this[CALL](operation, params, options, true);
      }
      Object.defineProperty(this, 'withResponse', { value: Object.freeze(methods) });
      return methods;
    }

    /** The path of every generated method: checks names, sends, shapes the result. */
    async [CALL](operation, params, options, withMeta = false) {
      const spec = this.constructor[API].operations[operation];
      const caller = `${spec.method}()`;
      const input = operationInput(spec, caller, await readBodies(params));
      const response = await this.#send(operation, input, pick(caller, options, CALL_OPTIONS), withMeta);
      if (withMeta) return { ...response, data: withBytes(response.data, spec.binary) };
      return spec.output === 'void' ? undefined : withBytes(response, spec.binary);
    }

    /** The path of every generated `iter…` method: a walk that checks and fetches once iterated. */
    [PAGES](operation, params, options) {
      const spec = this.constructor[API].operations[operation];
      const caller = `${spec.iter}()`;
      const native = this.#native;
      return new Pages(WALK, async function* walk() {
        const { signal, ...rest } = pick(caller, options, PAGE_OPTIONS);
        const input = operationInput(spec, caller, params);
        const pages = bridge.run(() => native.pages(operation, input, rest));
        try {
          for (;;) {
            const { native: pageOptions, release } = callOptions({ signal });
            let page;
            try {
              page = await bridge.settle(() => pages.nextPage(pageOptions));
            } finally {
              release();
            }
            if (page === null) return;
            yield withBytes(page.data, spec.binary);
          }
        } finally {
          if (!bridge.broken) pages.free();
        }
      });
    }

    async #send(operation, input, options, withMeta) {
      const { native, release } = callOptions(options);
      try {
        const { data, meta } = await bridge.settle(() => this.#native.call(operation, input, native));
        return withMeta ? apiResponse(data, meta) : data;
      } finally {
        release();
      }
    }
  }

  const clients = defineClients(ZkitClient, { CALL, PAGES, API });

  /**
   * Deploys a static site in one call (see the declarations for the options): plans against the
   * site, takes the deploy lock, uploads what changed while a heartbeat keeps the lock, deletes what
   * is gone, finalizes; resolves to the report. An abort stops it before it finalizes.
   */
  clients.Zerokie.prototype.deploySite = async function deploySite(app, source, options) {
    if (typeof app !== 'string') throw invalidInput('app', 'must be the app name, a string');
    const { signal, onProgress, ...rest } = pick('deploySite()', options, DEPLOY_OPTIONS);
    if (onProgress !== undefined && typeof onProgress !== 'function') throw invalidInput('onProgress', 'must be a function');
    const settings = coreOptions({ ...rest, sessionId: rest.sessionId ?? newSessionId() });
    const files = await siteEntries(source, host);
    // A progress function that throws must not break the deploy: it is reported, and the deploy goes on.
    const progress = onProgress && ((event) => {
      try {
        onProgress(event);
      } catch (error) {
        (host.report ?? (() => {}))(`zkit: deploySite onProgress threw: ${error?.stack ?? error}`);
      }
    });
    const { native: call, release } = callOptions({ signal });
    try {
      return await this[NATIVE]((native) => native.deploySite(app, files, settings, progress, call));
    } catch (error) {
      if (signal?.aborted && error === signal.reason) {
        host.warn?.(bridge.native.NativeZerokie.cancelledMessage(app, settings.session_id), 'ZKIT_DEPLOY_CANCELLED');
      }
      throw error;
    } finally {
      release();
    }
  };

  return {
    ...clients,
    ZkitClient,
    Pages,
    RawResponse,
    ZkitError,
    ...ERRORS,
    /** A fresh deploy session id (a version 4 UUID) for Zerokie's deploy lock. */
    newDeploySessionId: newSessionId,
  };
}
