// Every kind of failure as its error class, with status, message and request id; retries and
// Retry-After; time limits per call and per client (the twin of bindings-python/tests/test_errors.py).

import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, beforeEach, test } from 'node:test';

import * as zkit from 'zkit';

import { APPS, SANDBOX_KEY, Sandbox, WRONG_KEY, timed } from './support.mjs';

let sandbox;
let zerokie;

before(async () => {
  sandbox = await Sandbox.start();
});
after(() => sandbox.stop());
beforeEach(async () => {
  await sandbox.reset();
  zerokie = new zkit.Zerokie({ apiKey: SANDBOX_KEY, baseUrl: sandbox.zerokieUrl, jitterSeed: 7 });
});

const STATUSES = [
  [400, zkit.BadRequestError, 'bad_request', false],
  [401, zkit.AuthenticationError, 'unauthorized', false],
  [402, zkit.PaymentRequiredError, 'payment_required', false],
  [403, zkit.PermissionDeniedError, 'forbidden', false],
  [404, zkit.NotFoundError, 'not_found', false],
  [409, zkit.ConflictError, 'conflict', false],
  [429, zkit.RateLimitError, 'rate_limited', true],
  [500, zkit.ServerError, 'server', true],
  [502, zkit.UpstreamError, 'upstream', true],
  [503, zkit.ServerError, 'server', true],
];

for (const [status, cls, kind, retryable] of STATUSES) {
  test(`status ${status} rejects with ${cls.name}`, async () => {
    await sandbox.fault({ method: 'GET', path: APPS, status, body: { error: `refused with ${status}` } });
    const { error } = await timed(zerokie.listApps({ maxRetries: 0 }));
    assert.equal(Object.getPrototypeOf(error), cls.prototype);
    assert.ok(error instanceof zkit.ZkitError && error instanceof Error);
    assert.equal(error.name, cls.name);
    assert.deepEqual([error.kind, error.status, error.message], [kind, status, `refused with ${status}`]);
    assert.match(error.requestId, /^req_/);
    assert.equal(error.retryable, retryable);
    assert.deepEqual([error.field, error.code], [null, null]);
    assert.equal(String(error), `${cls.name} (${status}): refused with ${status} [request id ${error.requestId}]`);
    assert.ok(error.stack.startsWith(`${cls.name}: refused with ${status}`), error.stack);
    assert.equal((await sandbox.journal()).length, 1, 'maxRetries 0 makes one attempt');
  });
}

test('real failures of the sandbox', async () => {
  await zerokie.createApp({ name: 'api', image: 'nginx' });
  const cases = [
    [() => zerokie.listFiles({ name: 'api' }), zkit.BadRequestError, 400, 'app is not a static app'],
    [() => zerokie.getApp({ name: 'nowhere' }), zkit.NotFoundError, 404, 'app not found'],
    [() => zerokie.createApp({ name: 'api', image: 'nginx' }), zkit.ConflictError, 409, 'app name already exists'],
  ];
  for (const [call, cls, status, message] of cases) {
    const { error } = await timed(call());
    assert.ok(error instanceof cls);
    assert.deepEqual([error.status, error.message], [status, message]);
    assert.ok(error.requestId);
  }
  const stranger = new zkit.Zerokie({ apiKey: WRONG_KEY, baseUrl: sandbox.zerokieUrl });
  const { error } = await timed(stranger.listApps());
  assert.ok(error instanceof zkit.AuthenticationError);
  assert.deepEqual([error.status, error.message], [401, 'missing or invalid API key']);
});

test('upstream is a server error', async () => {
  await sandbox.fault({ method: 'GET', path: APPS, status: 502, body: { error: 'CDN failure' } });
  const { error } = await timed(zerokie.listApps({ maxRetries: 0 }));
  assert.ok(error instanceof zkit.ServerError && error instanceof zkit.UpstreamError);
  assert.deepEqual([error.kind, error.message], ['upstream', 'CDN failure']);
});

test('rate limited beyond sixty seconds carries retryAfter', async () => {
  await sandbox.fault({ method: 'GET', path: APPS, status: 429, retry_after: '3600' });
  const { error } = await timed(zerokie.listApps());
  assert.ok(error instanceof zkit.RateLimitError);
  assert.deepEqual([error.kind, error.status, error.retryAfter, error.retryable], ['rate_limited', 429, 3600, true]);
  assert.equal((await sandbox.journal()).length, 1, 'a wait past 60 s is not waited for');
});

test('Retry-After is honoured and the retry succeeds', async () => {
  await sandbox.fault({ method: 'GET', path: APPS, status: 429, retry_after: '1' });
  const { ms, value } = await timed(zerokie.withResponse.listApps());
  assert.deepEqual([value.data, value.attempts], [[], 2]);
  assert.ok(ms >= 900, `waited ${ms} ms`);
  assert.deepEqual((await sandbox.journal()).map((entry) => entry.status), [429, 200]);
});

test('maxRetries per call and per client', async () => {
  await sandbox.fault({ method: 'GET', path: APPS, status: 503, times: 2 });
  await assert.rejects(zerokie.listApps({ maxRetries: 0 }), zkit.ServerError);
  assert.equal((await sandbox.journal()).length, 1);
  const once = zerokie.withOptions({ maxRetries: 0 });
  await assert.rejects(once.listApps(), zkit.ServerError);
  assert.equal((await sandbox.journal()).length, 2);
  assert.deepEqual(await zerokie.listApps(), [], 'the fault is spent; the first client still retries');
});

test('retries are the core\'s: a 503 then success takes two attempts', async () => {
  await sandbox.fault({ method: 'GET', path: APPS, status: 503 });
  const response = await zerokie.withResponse.listApps();
  assert.deepEqual([response.status, response.attempts], [200, 2]);
});

test('timeout per call', async () => {
  await sandbox.fault({ method: 'GET', path: APPS, kind: 'delay', delay_ms: 1000 });
  const { ms, error } = await timed(zerokie.listApps({ timeoutMs: 100, maxRetries: 0 }));
  assert.ok(error instanceof zkit.TimeoutError);
  assert.deepEqual([error.kind, error.status, error.retryable], ['timeout', null, true]);
  assert.ok(error.message);
  assert.ok(ms < 900, `took ${ms} ms`);
});

test('deadline per call and timeout per client', async () => {
  await sandbox.fault({ method: 'GET', path: APPS, kind: 'delay', delay_ms: 1000, times: 2 });
  const unlimited = new zkit.Zerokie({ apiKey: SANDBOX_KEY, baseUrl: sandbox.zerokieUrl, timeoutMs: null, deadlineMs: null });
  await assert.rejects(unlimited.listApps({ deadlineMs: 100 }), zkit.TimeoutError);
  const impatient = new zkit.Zerokie({ apiKey: SANDBOX_KEY, baseUrl: sandbox.zerokieUrl, timeoutMs: 100, maxRetries: 0 });
  await assert.rejects(impatient.listApps(), zkit.TimeoutError);
});

test('no time limit when asked for: null', async () => {
  await sandbox.fault({ method: 'GET', path: APPS, kind: 'delay', delay_ms: 300 });
  const strict = new zkit.Zerokie({ apiKey: SANDBOX_KEY, baseUrl: sandbox.zerokieUrl, timeoutMs: 100, maxRetries: 0 });
  assert.deepEqual(await strict.listApps({ timeoutMs: null }), []);
});

test('a limit longer than a 32-bit setTimeout does not time out at once', async () => {
  const patient = new zkit.Zerokie({ apiKey: SANDBOX_KEY, baseUrl: sandbox.zerokieUrl, maxRetries: 0 });
  assert.deepEqual(await patient.listApps({ timeoutMs: 3e9, deadlineMs: null }), []);
});

test('connection refused', async () => {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  // Nothing listens on the port any more.
  const client = new zkit.Zerokie({ apiKey: SANDBOX_KEY, baseUrl: `http://127.0.0.1:${port}/zerokie`, maxRetries: 0 });
  const { error } = await timed(client.listApps());
  assert.ok(error instanceof zkit.ConnectionError, String(error));
  assert.deepEqual([error.kind, error.status, error.retryable], ['connection', null, true]);
});

test('a reset connection is a connection error', async () => {
  await sandbox.fault({ method: 'GET', path: APPS, kind: 'reset' });
  const { error } = await timed(zerokie.listApps({ maxRetries: 0 }));
  assert.ok(error instanceof zkit.ConnectionError, String(error));
});

test('a malformed body is a decode error', async () => {
  await sandbox.fault({ method: 'GET', path: APPS, kind: 'malformed' });
  const { error } = await timed(zerokie.listApps());
  assert.ok(error instanceof zkit.DecodeError);
  assert.deepEqual([error.kind, error.status, error.retryable], ['decode', 200, false]);
  assert.ok(error.message.startsWith('response body: '), error.message);
  assert.equal((await sandbox.journal()).length, 1, 'a body that cannot be read is not retried');
});

test('invalid input names the field', async () => {
  const { error } = await timed(zerokie.addDomain({ name: 'my-site', domain: 'example.com' }));
  assert.ok(error instanceof zkit.InvalidInputError);
  assert.deepEqual([error.kind, error.field, error.status, error.requestId], ['invalid_input', 'domain', null, null]);
  assert.ok(error.message.startsWith('domain: '));
  assert.equal(String(error), `InvalidInputError: ${error.message}`);
  assert.deepEqual(await sandbox.journal(), []);
});

test('a missing key is invalid input', () => {
  const saved = process.env.ZEROKIE_API_KEY;
  delete process.env.ZEROKIE_API_KEY;
  try {
    assert.throws(() => new zkit.Zerokie({ baseUrl: sandbox.zerokieUrl }), (error) => error instanceof zkit.InvalidInputError && error.field === 'apiKey');
    assert.throws(() => new zkit.Zerokie({ apiKey: '', baseUrl: sandbox.zerokieUrl }), (error) => error instanceof zkit.InvalidInputError && error.field === 'apiKey');
  } finally {
    if (saved !== undefined) process.env.ZEROKIE_API_KEY = saved;
  }
});

test('a closed client', async () => {
  assert.deepEqual(await zerokie.listApps(), []);
  zerokie.close();
  const { error } = await timed(zerokie.listApps());
  assert.equal(Object.getPrototypeOf(error), zkit.ZkitError.prototype);
  assert.equal(error.kind, 'closed');
  assert.equal(String(zerokie), 'Zerokie(closed)');
  await assert.rejects(zerokie.raw('GET', '/v1/apps'), (e) => e.kind === 'closed');
});

test('error classes: hierarchy, names and a constructor for user code', () => {
  const classes = {
    BadRequestError: 'bad_request',
    AuthenticationError: 'unauthorized',
    PaymentRequiredError: 'payment_required',
    PermissionDeniedError: 'forbidden',
    NotFoundError: 'not_found',
    ConflictError: 'conflict',
    RateLimitError: 'rate_limited',
    ServerError: 'server',
    UpstreamError: 'upstream',
    TimeoutError: 'timeout',
    ConnectionError: 'connection',
    DecodeError: 'decode',
    InvalidInputError: 'invalid_input',
  };
  for (const [name, kind] of Object.entries(classes)) {
    const cls = zkit[name];
    const error = new cls('m', { kind, status: 418, code: 'c', requestId: 'req_1', details: { a: [1] }, retryAfter: 1.5, field: 'f', retryable: true, cause: 'why' });
    assert.ok(error instanceof Error && error instanceof zkit.ZkitError && error instanceof cls);
    assert.equal(error.name, name);
    assert.deepEqual(
      [error.kind, error.status, error.code, error.requestId, error.details, error.retryAfter, error.field, error.retryable, error.cause],
      [kind, 418, 'c', 'req_1', { a: [1] }, 1.5, 'f', true, 'why'],
    );
    assert.ok(!Object.keys(error).includes('name'), 'name lives on the prototype');
  }
  assert.ok(new zkit.UpstreamError('x') instanceof zkit.ServerError);
  assert.ok(!(new zkit.TimeoutError('x') instanceof zkit.ConnectionError));
  const bare = new zkit.ZkitError('plain');
  assert.deepEqual([bare.kind, bare.status, bare.retryable, bare.details], ['internal', null, false, null]);
});
