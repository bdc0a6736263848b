// A panic in the core never escapes as a raw WebAssembly trap and never leaves a call hanging: it
// becomes a ZkitError of kind "internal", every call still waiting rejects with it, and the module
// refuses later calls (it cannot be used after a trap). node --test runs each file in a process of
// its own, so the real panic here leaves the other suites alone.
//
// The layer's handling is also checked on a fake native module, for the cases the real one cannot be
// made to produce on demand (a panic inside an asynchronous step, reported as an uncaught error), in
// both the ES-module and the CommonJS copies of the layer.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';

import * as zkit from 'zkit';

import { APPS, SANDBOX_KEY, Sandbox, timed } from './support.mjs';

const require = createRequire(import.meta.url);
const PACKAGE = dirname(require.resolve('zkit'));
const LAYERS = {
  'ES module': await import(pathToFileURL(join(PACKAGE, 'zkit.mjs')).href),
  CommonJS: require(join(PACKAGE, 'zkit.cjs')),
};

let sandbox;
before(async () => {
  sandbox = await Sandbox.start();
});
after(() => sandbox.stop());

/** A stand-in for the wasm-bindgen module, driven by the test. */
function fakeNative() {
  const state = { panic: undefined, calls: [], onCall: () => new Promise(() => {}), construct: () => {} };
  class NativeZerokie {
    constructor(config) {
      state.construct(config);
    }
    call(operation, input, options) {
      state.calls.push({ operation, input, options });
      return state.onCall(operation, input, options);
    }
    raw() {
      return state.onCall('raw');
    }
    close() {}
    describe() {
      return 'Zerokie(fake)';
    }
    static waiters() {
      return {};
    }
  }
  const native = {
    NativeZerokie,
    takePanicMessage() {
      const message = state.panic;
      state.panic = undefined;
      return message;
    },
  };
  return { native, state };
}

/** A fake native module under the layer, with a host whose uncaught-error hook the test fires. */
function layered(layer) {
  const { native, state } = fakeNative();
  const host = { listeners: [], reports: [] };
  const api = layer.createZkit(native, {
    onUncaught: (listener) => host.listeners.push(listener),
    report: (line) => host.reports.push(line),
  });
  const uncaught = (error) => host.listeners.forEach((listener) => listener(error));
  return { api, state, host, uncaught };
}

const trap = () => new WebAssembly.RuntimeError('unreachable');

test('a real panic becomes ZkitError "internal", rejects the waiting calls, and the module is refused after', async () => {
  await sandbox.reset();
  const zerokie = new zkit.Zerokie({ apiKey: SANDBOX_KEY, baseUrl: sandbox.zerokieUrl });
  await sandbox.fault({ method: 'GET', path: `${APPS}/slow`, kind: 'delay', delay_ms: 2000 });
  const waiting = timed(zerokie.getApp({ name: 'slow' }));
  await sandbox.arrived('/slow');

  // A time limit too large for the core's Duration: the native module panics on it (or, once it
  // refuses such values, says so as invalid input).
  const { error } = await timed(zerokie.listApps({ timeoutMs: 1e300 }));
  assert.ok(!(error instanceof WebAssembly.RuntimeError), 'the raw trap escaped');
  assert.ok(error instanceof zkit.ZkitError, String(error));
  if (error.kind === 'invalid_input') {
    assert.equal(error.field, 'timeoutMs');
    return; // nothing panics any more; the fake-native tests below still cover the path
  }
  assert.equal(error.kind, 'internal');
  assert.match(error.message, /^internal error in zkit: panicked at /);
  assert.ok(error.cause instanceof WebAssembly.RuntimeError);
  assert.ok(!error.message.includes(SANDBOX_KEY));

  const slow = await waiting;
  assert.equal(slow.error, error, 'the waiting call rejects with the same error');
  assert.ok(slow.ms < 1500, `the waiting call took ${slow.ms} ms`);

  await assert.rejects(zerokie.listApps(), (later) => later.kind === 'internal' && /cannot be used after an internal error/.test(later.message));
  assert.throws(() => new zkit.Zerokie({ apiKey: SANDBOX_KEY, baseUrl: sandbox.zerokieUrl }), (later) => later.kind === 'internal');
  assert.throws(() => zkit.Zerokie.waiters(), (later) => later instanceof zkit.ZkitError);
  assert.equal(String(zerokie), 'Zerokie(unusable after an internal error)');
  zerokie.close(); // a no-op, so that cleanup code does not hide the first error
});

test('the Node entry watches for traps in asynchronous steps', () => {
  assert.ok(process.listeners('uncaughtExceptionMonitor').length >= 1);
});

for (const [name, layer] of Object.entries(LAYERS)) {
  test(`${name} layer: a trap while constructing`, () => {
    const { api, state } = layered(layer);
    state.construct = () => {
      state.panic = 'panicked at src/lib.rs:1:1:\nboom';
      throw trap();
    };
    assert.throws(() => new api.Zerokie({ apiKey: 'k' }), (error) => {
      assert.equal(Object.getPrototypeOf(error), api.ZkitError.prototype);
      assert.equal(error.kind, 'internal');
      assert.equal(error.message, 'internal error in zkit: panicked at src/lib.rs:1:1:\nboom');
      assert.ok(error.cause instanceof WebAssembly.RuntimeError);
      return true;
    });
    state.construct = () => {};
    assert.throws(() => new api.Zerokie({ apiKey: 'k' }), /cannot be used after an internal error/);
  });

  test(`${name} layer: a trap in an asynchronous step rejects every waiting call`, async () => {
    const { api, state, host, uncaught } = layered(layer);
    const client = new api.Zerokie({ apiKey: 'k' });
    const first = timed(client.listApps());
    const second = timed(client.getApp({ name: 'a' }));
    await new Promise((resolve) => setImmediate(resolve));

    uncaught(new Error('not ours'));
    uncaught(trap()); // a trap of another WebAssembly module: no zkit panic message
    assert.deepEqual(host.reports, []);

    state.panic = 'panicked at core/src/client.rs:9:9:\nasync boom';
    uncaught(trap());
    const [one, two] = await Promise.all([first, second]);
    assert.equal(one.error.kind, 'internal');
    assert.equal(one.error.message, 'internal error in zkit: panicked at core/src/client.rs:9:9:\nasync boom');
    assert.equal(two.error, one.error);
    assert.equal(host.reports.length, 1);
    assert.match(host.reports[0], /a panic in the zkit core.*async boom/s);
    await assert.rejects(client.listApps(), /cannot be used after an internal error/);
  });

  test(`${name} layer: a call rejecting with a trap`, async () => {
    const { api, state } = layered(layer);
    const client = new api.Zerokie({ apiKey: 'k' });
    state.onCall = () => {
      state.panic = 'panicked: late';
      return Promise.reject(trap());
    };
    await assert.rejects(client.listApps(), (error) => error.kind === 'internal' && error.message.endsWith('panicked: late'));
  });

  test(`${name} layer: native error objects become their classes`, async () => {
    const { api, state } = layered(layer);
    const client = new api.Zerokie({ apiKey: 'k' });
    const kinds = {
      bad_request: api.BadRequestError,
      unauthorized: api.AuthenticationError,
      payment_required: api.PaymentRequiredError,
      forbidden: api.PermissionDeniedError,
      not_found: api.NotFoundError,
      conflict: api.ConflictError,
      rate_limited: api.RateLimitError,
      server: api.ServerError,
      upstream: api.UpstreamError,
      redirect: api.RedirectError,
      timeout: api.TimeoutError,
      connection: api.ConnectionError,
      decode: api.DecodeError,
      invalid_input: api.InvalidInputError,
      closed: api.ZkitError,
      internal: api.ZkitError,
      a_kind_from_the_future: api.ZkitError,
    };
    for (const [kind, cls] of Object.entries(kinds)) {
      const facts = { zkitError: true, kind, message: 'm', status: null, code: 'c', requestId: 'req_1', details: { a: [1] }, retryAfter: 1.5, field: 'f', retryable: true };
      state.onCall = () => Promise.reject(facts);
      const { error } = await timed(client.listApps());
      assert.equal(Object.getPrototypeOf(error), cls.prototype, kind);
      assert.ok(error instanceof api.ZkitError && error instanceof Error);
      assert.deepEqual(
        [error.kind, error.message, error.status, error.code, error.requestId, error.details, error.retryAfter, error.field, error.retryable],
        [kind, 'm', null, 'c', 'req_1', { a: [1] }, 1.5, 'f', true],
      );
    }
    // The same classes for every instance of the layer (they are defined once, at module level).
    assert.equal(api.NotFoundError, layered(layer).api.NotFoundError);
  });

  test(`${name} layer: what reaches the native module`, async () => {
    const { api, state } = layered(layer);
    state.onCall = () => Promise.resolve({ data: null, meta: { status: 204, headers: {}, requestId: 'req_9', attempts: 1 } });
    const client = new api.Zerokie({ apiKey: 'k' });
    const controller = new AbortController();
    assert.equal(await client.deleteFile({ name: 'a', path: 'b' }, { maxRetries: 1, timeoutMs: null, signal: controller.signal }), undefined);
    const [{ operation, input, options }] = state.calls;
    assert.equal(operation, 'delete_file');
    assert.deepEqual(input, { name: 'a', path: 'b' });
    assert.equal(options.maxRetries, 1);
    assert.equal(options.timeoutMs, null, 'null reaches the core: no limit');
    assert.ok(options.signal instanceof AbortSignal && options.signal !== controller.signal, 'a signal of the call\'s own');
    controller.abort('stop');
    assert.equal(options.signal.aborted, false, 'released once the call settled');
  });
}
