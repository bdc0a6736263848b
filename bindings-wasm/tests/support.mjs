// Helpers of the Node suites: the sandbox process and its control API.
//
// The suites import the package by its name, `zkit`: scripts/test-npm unpacks the tarball `npm pack`
// made into bindings-wasm/node_modules/zkit. (For a quick run on the assembled package instead:
// `mkdir -p bindings-wasm/node_modules && ln -sfn ../pkg bindings-wasm/node_modules/zkit`.)

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SANDBOX_KEY = 'zrk_sandbox_0c0ffee0c0ffee0c0ffee0c0ffee';
export const WRONG_KEY = 'zrk_not_a_sandbox_key_0000';
export const APPS = '/zerokie/v1/apps';

/** A `zkit-sandbox` process on 127.0.0.1 and a port of its choosing, driven by its control API. */
export class Sandbox {
  static async start() {
    const binary = process.env.ZKIT_SANDBOX_BIN || join(REPO, 'target', 'debug', 'zkit-sandbox');
    if (!existsSync(binary)) throw new Error(`no sandbox binary at ${binary}: run \`cargo build -p zkit-sandbox\` first`);
    const child = spawn(binary, ['--port', '0'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const lines = createInterface({ input: child.stdout });
    const first = await new Promise((resolve, reject) => {
      lines.once('line', resolve);
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`the sandbox exited with ${code} before printing its URL`)));
    });
    if (!first.startsWith('ZKIT_SANDBOX_URL=')) {
      child.kill();
      throw new Error(`the sandbox did not start: ${first}`);
    }
    lines.on('line', () => {}); // keep reading, so that a full pipe never blocks it
    process.once('exit', () => child.kill()); // even when a suite ends without its after() hook
    return new Sandbox(child, first.slice('ZKIT_SANDBOX_URL='.length).trim());
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
