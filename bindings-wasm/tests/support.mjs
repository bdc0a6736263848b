// Helpers of the Node suites: the sandbox process and its control API.
//
// The suites import the package by its name, `zkit`: scripts/test-npm unpacks the tarball `npm pack`
// made into bindings-wasm/node_modules/zkit. (For a quick run on the assembled package instead:
// `mkdir -p bindings-wasm/node_modules && ln -sfn ../pkg bindings-wasm/node_modules/zkit`.)

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/**
 * The operations of an API's committed contract (schema/<api>.openapi.json), which a Rust test holds
 * to the operation table: `operationId`, `description`, `x-zkit-paged`, …
 */
export function contractOperations(api) {
  const contract = JSON.parse(readFileSync(join(REPO, 'schema', `${api}.openapi.json`), 'utf8'));
  return Object.values(contract.paths).flatMap((methods) => Object.values(methods));
}
export const SANDBOX_KEY = 'zrk_sandbox_0c0ffee0c0ffee0c0ffee0c0ffee';
export const WRONG_KEY = 'zrk_not_a_sandbox_key_0000';
export const APPS = '/zerokie/v1/apps';

/** A `zkit-sandbox` process on 127.0.0.1 and a port of its choosing, driven by its control API. */
export class Sandbox {
  /** With `tls`, an HTTPS sandbox whose authority's PEM file is `caFile`. */
  static async start({ tls = false } = {}) {
    const binary = process.env.ZKIT_SANDBOX_BIN || join(REPO, 'target', 'debug', 'zkit-sandbox');
    if (!existsSync(binary)) throw new Error(`no sandbox binary at ${binary}: run \`cargo build -p zkit-sandbox\` first`);
    const child = spawn(binary, ['--port', '0', ...(tls ? ['--tls'] : [])], { stdio: ['ignore', 'pipe', 'ignore'] });
    // One listener from the start: readline emits the lines of a chunk at once, so a listener added
    // after the first line would miss the second.
    const lines = createInterface({ input: child.stdout });
    const wanted = tls ? 2 : 1;
    const head = await new Promise((resolve, reject) => {
      const seen = [];
      lines.on('line', (line) => {
        if (seen.length < wanted && seen.push(line) === wanted) resolve(seen);
      });
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`the sandbox exited with ${code} before printing its URL`)));
    });
    const first = head[0];
    if (!first.startsWith('ZKIT_SANDBOX_URL=')) {
      child.kill();
      throw new Error(`the sandbox did not start: ${first}`);
    }
    const caFile = tls ? head[1].split('=')[1].trim() : undefined;
    process.once('exit', () => child.kill()); // even when a suite ends without its after() hook
    const sandbox = new Sandbox(child, first.slice('ZKIT_SANDBOX_URL='.length).trim());
    sandbox.caFile = caFile;
    return sandbox;
  }

  constructor(child, url) {
    this.child = child;
    this.url = url;
    this.zerokieUrl = `${url}/zerokie`;
  }

  async stop() {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  async control(method, path, body) {
    const response = await fetch(`${this.url}/__sandbox/${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`sandbox control ${method} ${path}: ${response.status} ${text}`);
    return text.trim() ? JSON.parse(text) : null;
  }

  /** Fresh state: apps, journal, faults and clock reset. */
  reset() {
    return this.control('POST', 'reset');
  }

  advanceClock(seconds) {
    return this.control('POST', 'clock', { advance_seconds: seconds });
  }

  journal() {
    return this.control('GET', 'journal');
  }

  /** Queues a fault: method, path (a prefix), times, kind, status, body, retry_after, delay_ms. */
  fault(fault) {
    return this.control('POST', 'faults', fault);
  }

  /** Resolves once the sandbox has received a request whose path ends with `suffix`. */
  async arrived(suffix, timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const entries = await this.journal();
      const entry = entries.find((e) => e.path.endsWith(suffix));
      if (entry) return entry;
      if (Date.now() > deadline) throw new Error(`no request to …${suffix} reached the sandbox`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

/** How long `promise` takes to settle, in milliseconds, and how it settled. */
export async function timed(promise) {
  const started = performance.now();
  try {
    const value = await promise;
    return { ms: performance.now() - started, value };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}

/** Asserts that `promise` rejects with an instance of `type` whose facts include `facts`. */
export async function rejectsWith(promise, type, facts = {}) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof type, `${error}`);
    for (const [key, value] of Object.entries(facts)) assert.equal(error[key], value, key);
    return true;
  });
}

/**
 * Sends `call` until it rejects (the server's 429), at most `max` times. Buckets refill evenly, so
 * while the requests go out some slots come back: the count that passed is the budget plus at most
 * one slot per `refillMs` of the time they took (the bound the caller checks with `allowed`).
 */
export async function untilRefused(call, { budget, refillMs, max = budget * 2 }) {
  const started = performance.now();
  for (let passed = 0; passed < max; passed++) {
    try {
      await call();
    } catch (error) {
      const allowed = budget + Math.ceil((performance.now() - started) / refillMs) + 1;
      assert.ok(passed >= budget && passed <= allowed, `${passed} requests passed; the budget allows ${budget} to ${allowed}`);
      return error;
    }
  }
  throw new Error(`no request of ${max} was refused`);
}

/**
 * A forwarding HTTP proxy on 127.0.0.1: plain requests (named by their whole URL) are sent on to
 * their target, CONNECT opens a tunnel; `lines` keeps each request line it saw.
 */
export class Proxy {
  static async start() {
    const proxy = new Proxy();
    await new Promise((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    proxy.url = `http://127.0.0.1:${proxy.server.address().port}`;
    return proxy;
  }

  constructor() {
    this.lines = [];
    // Tunnels leave the server's hands once open, so closing it must end them itself.
    this.tunnels = new Set();
    this.server = http.createServer((request, response) => {
      this.lines.push(`${request.method} ${request.url} HTTP/${request.httpVersion}`);
      const upstream = http.request(request.url, { method: request.method, headers: request.headers }, (answer) => {
        response.writeHead(answer.statusCode, answer.rawHeaders);
        answer.pipe(response);
      });
      upstream.on('error', () => response.destroy());
      request.pipe(upstream);
    });
    this.server.on('connect', (request, client, head) => {
      this.lines.push(`CONNECT ${request.url} HTTP/${request.httpVersion}`);
      const [host, port] = request.url.split(':');
      const upstream = net.connect(Number(port), host, () => {
        this.tunnels.add(client).add(upstream);
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
  }

  close() {
    for (const socket of this.tunnels) socket.destroy();
    this.server.closeAllConnections?.();
    return new Promise((resolve) => this.server.close(resolve));
  }
}
