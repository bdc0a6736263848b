// The client itself: settings from options and the environment, input forms, options, closing,
// aborting, and many calls at once (the twin of bindings-python/tests/test_client.py).

import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { inspect } from 'node:util';

import * as zkit from 'zkit';

import { APPS, SANDBOX_KEY, Sandbox, timed } from './support.mjs';

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

/** Runs `body` with environment variables set (undefined deletes one), then restores them. */
async function withEnv(vars, body) {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  const apply = (values) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(vars);
  try {
    await body();
  } finally {
    apply(saved);
  }
}

test('settings from the environment', async () => {
  await withEnv({ ZEROKIE_API_KEY: SANDBOX_KEY, ZEROKIE_BASE_URL: sandbox.zerokieUrl }, async () => {
    const client = new zkit.Zerokie();
    await client.createApp({ name: 'from-env', type: 'static' });
    assert.ok(String(client).includes(sandbox.zerokieUrl));
    // Options win over the environment.
    process.env.ZEROKIE_API_KEY = 'zrk_not_a_sandbox_key_0000';
    const explicit = new zkit.Zerokie({ apiKey: SANDBOX_KEY });
    assert.equal((await explicit.listApps()).length, 1);
    // An empty variable counts as unset.
    process.env.ZEROKIE_API_KEY = '';
    assert.throws(() => new zkit.Zerokie(), (error) => error.field === 'apiKey');
  });
});

test('the default base URL, and descriptions without the key', async () => {
  await withEnv({ ZEROKIE_BASE_URL: undefined }, () => {
    const key = 'zrk_a_key_that_is_long_enough_1234';
    const client = new zkit.Zerokie({ apiKey: key });
    const text = String(client);
    assert.equal(text, 'Zerokie(baseUrl="https://api.platform-dev.zerokie.com", apiKey="zrk_…1234")');
    for (const shown of [text, `${client}`, inspect(client), inspect(client, { showHidden: true, depth: 9 }), JSON.stringify(client)]) {
      assert.ok(!shown.includes(key) && !shown.includes('long_enough'), shown);
    }
    client.close();
    assert.ok(String(client).includes('closed'));
  });
});

test('bad settings are refused', () => {
  const refused = (options, check) => assert.throws(() => new zkit.Zerokie({ apiKey: SANDBOX_KEY, ...options }), check);
  refused({ baseUrl: 'not a url' }, (error) => error instanceof zkit.InvalidInputError && error.field === 'baseUrl');
  refused({ timeoutMs: -1 }, (error) => error instanceof zkit.InvalidInputError && error.field === 'timeoutMs');
  refused({ maxRetries: 1.5 }, (error) => error instanceof zkit.InvalidInputError && error.field === 'maxRetries');
  refused({ rateLimit: 'yes' }, (error) => error instanceof zkit.InvalidInputError && error.field === 'rateLimit');
  refused({ apiKey: 'zrk_key\r\nX-Evil: 1' }, (error) => {
    assert.ok(error instanceof zkit.InvalidInputError);
    assert.equal(error.field, 'apiKey');
    assert.ok(!String(error).includes('X-Evil'));
    return true;
  });
  refused({ retries: 3 }, (error) => error instanceof TypeError && /unknown option "retries"/.test(error.message));
  assert.throws(() => new zkit.Zerokie('zrk_key_as_a_string'), TypeError);
  assert.throws(() => new zkit.ZkitClient({ apiKey: SANDBOX_KEY }), TypeError);
});

test('withOptions keeps the rest', async () => {
  const other = zerokie.withOptions({ maxRetries: 0, timeoutMs: null });
  assert.ok(other instanceof zkit.Zerokie && other !== zerokie);
  await other.createApp({ name: 'shared', type: 'static' });
  assert.deepEqual((await zerokie.listApps()).map((app) => app.name), ['shared'], 'same key, same base URL');
  const moved = zerokie.withOptions({ baseUrl: `${sandbox.url}/nowhere` });
  await assert.rejects(moved.listApps({ maxRetries: 0 }), zkit.NotFoundError);
  assert.throws(() => zerokie.withOptions({ nope: 1 }), TypeError);
});

test('undefined means absent; null asks for the API default', async () => {
  const app = await zerokie.createApp({ name: 'nones', image: 'nginx', port: undefined, env: null, registry_auth: null }, { maxRetries: 1 });
  assert.equal(app.name, 'nones');
  await zerokie.deployApp({
    name: 'nones',
    image: 'registry.example.com/app:v2',
    registry_auth: { username: 'deployer', password: 's3cret-token', server_address: 'registry.example.com' },
  });
  assert.ok(!JSON.stringify(await sandbox.journal()).includes('s3cret-token'));
});

test('unknown names and wrong shapes are refused before sending', async () => {
  await assert.rejects(zerokie.createApp({ name: 'typo', imgae: 'nginx' }), (error) => {
    assert.ok(error instanceof zkit.InvalidInputError);
    assert.equal(error.field, 'imgae');
    assert.equal(error.message, 'imgae: is not a parameter of createApp');
    return true;
  });
  await assert.rejects(zerokie.getApp('my-app'), (error) => error instanceof TypeError && /takes an object/.test(error.message));
  await assert.rejects(zerokie.getApp(), TypeError);
  await assert.rejects(zerokie.getApp(null), TypeError);
  await assert.rejects(zerokie.listApps({ retries: 3 }), (error) => error instanceof TypeError && /unknown option "retries"/.test(error.message));
  await assert.rejects(zerokie.getApp({ name: 'a' }, { timeout: 5 }), TypeError);
  await assert.rejects(zerokie.raw('GET', '/v1/apps', { name: 'x' }), TypeError);
  await assert.rejects(zerokie.raw('POST', '/v1/apps', { json: {}, body: '{}' }), /json or body/);
  await assert.rejects(zerokie.raw('GET', '/v1/apps', { query: { page: { n: 1 } } }), (error) => error.field === 'query.page');
  await assert.rejects(zerokie.createApp({ name: 'x', image: 'nginx', env: new Map([['A', '1']]) }), (error) => error instanceof zkit.InvalidInputError && error.field === 'env');
  await assert.rejects(zerokie.createApp({ name: 'x', image: 'nginx', port: 10n }), (error) => error instanceof zkit.InvalidInputError && error.field === 'port');
  await assert.rejects(zerokie.createApp({ name: 'x', image: 'nginx', port: Number.NaN }), (error) => error instanceof zkit.InvalidInputError);
  await assert.rejects(zerokie.listApps({ timeoutMs: 'soon' }), (error) => error instanceof zkit.InvalidInputError && error.field === 'timeoutMs');
  await assert.rejects(zerokie.listApps({ signal: 'stop' }), (error) => error instanceof zkit.InvalidInputError && error.field === 'signal');
  await assert.rejects(zerokie.callJson('list_apps', ['not', 'an', 'object']), TypeError);
  assert.deepEqual(await sandbox.journal(), []);
});

test('file content: Uint8Array, Buffer, ArrayBuffer, typed views and strings', async () => {
  await zerokie.createApp({ name: 'bytes', type: 'static' });
  const contents = {
    'a.bin': new Uint8Array([0, 1, 2, 255]),
    'b.bin': Buffer.from([1, 2, 3]),
    'c.bin': new Uint16Array([1, 2]).buffer,
    'd.bin': new DataView(new Uint8Array([9, 9, 9, 9, 9]).buffer, 1, 2),
    'e.txt': 'é',
  };
  for (const [path, content] of Object.entries(contents)) await zerokie.uploadFile({ name: 'bytes', path, content });
  const files = await zerokie.listFiles({ name: 'bytes' });
  assert.deepEqual(Object.fromEntries(files.map((f) => [f.path, f.length])), { 'a.bin': 4, 'b.bin': 3, 'c.bin': 4, 'd.bin': 2, 'e.txt': 2 });
});

test('the idempotency key and options reach the request', async () => {
  await zerokie.createApp({ name: 'once', type: 'static' }, { idempotencyKey: 'create-once-1', rateLimit: false, deadlineMs: 30_000 });
  const [entry] = await sandbox.journal();
  assert.equal(entry.headers['idempotency-key'], 'create-once-1');
  assert.equal(entry.headers.authorization, 'Bearer zrk_…ffee');
});

test('Promise.all shares one client', async () => {
  const created = await Promise.all(Array.from({ length: 16 }, (_, i) => zerokie.createApp({ name: `site-${i}`, type: 'static' })));
  assert.deepEqual(created.map((app) => app.name).sort(), Array.from({ length: 16 }, (_, i) => `site-${i}`).sort());
  assert.equal((await zerokie.listApps()).length, 16);
  const fetched = await Promise.all(created.map((app) => zerokie.getApp({ name: app.name })));
  assert.deepEqual(fetched.map((app) => app.name), created.map((app) => app.name), 'each result belongs to its call');
});

test('Promise.allSettled: failures and successes side by side', async () => {
  await zerokie.createApp({ name: 'here', type: 'static' });
  const results = await Promise.allSettled([
    zerokie.getApp({ name: 'here' }),
    zerokie.getApp({ name: 'gone' }),
    zerokie.addDomain({ name: 'here', domain: 'example.com' }),
    zerokie.listApps(),
  ]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'rejected', 'fulfilled']);
  assert.ok(results[1].reason instanceof zkit.NotFoundError);
  assert.ok(results[2].reason instanceof zkit.InvalidInputError);
});

test('a waiting call leaves the event loop free', async () => {
  await sandbox.fault({ method: 'GET', path: `${APPS}/slow`, kind: 'delay', delay_ms: 300 });
  let slowDone = false;
  const slow = zerokie.getApp({ name: 'slow' }).finally(() => {
    slowDone = true;
  });
  await sandbox.arrived('/slow');
  assert.deepEqual(await zerokie.listApps(), []);
  assert.equal(slowDone, false, 'the quick call finished after the slow one');
  await assert.rejects(slow, zkit.NotFoundError);
});

test('an AbortSignal aborts a waiting call promptly and drops its request', async () => {
  await sandbox.fault({ method: 'GET', path: `${APPS}/slow`, kind: 'delay', delay_ms: 1500 });
  const controller = new AbortController();
  const call = timed(zerokie.getApp({ name: 'slow' }, { signal: controller.signal }));
  await sandbox.arrived('/slow');
  controller.abort();
  const { ms, error } = await call;
  assert.equal(error.name, 'AbortError');
  assert.equal(error, controller.signal.reason, 'rejects with the signal\'s reason, as fetch does');
  assert.ok(ms < 1000, `took ${ms} ms`);
  // The request was dropped: the sandbox never got to answer it.
  await new Promise((resolve) => setTimeout(resolve, 1700));
  const entry = (await sandbox.journal()).find((e) => e.path.endsWith('/slow'));
  assert.equal(entry.status, null, 'the sandbox answered a request the client had dropped');
  // The client stays usable.
  assert.deepEqual(await zerokie.listApps(), []);
});

test('an aborted signal sends nothing; a reason is passed through', async () => {
  const reason = new Error('user went away');
  await assert.rejects(zerokie.listApps({ signal: AbortSignal.abort(reason) }), (error) => error === reason);
  await assert.rejects(zerokie.raw('GET', '/v1/apps', { signal: AbortSignal.abort() }), (error) => error.name === 'AbortError');
  await assert.rejects(zerokie.callJson('list_apps', {}, { signal: AbortSignal.abort() }), (error) => error.name === 'AbortError');
  assert.deepEqual(await sandbox.journal(), []);
});

test('AbortSignal.timeout rejects with a TimeoutError DOMException, not a ZkitError', async () => {
  await sandbox.fault({ method: 'GET', path: APPS, kind: 'delay', delay_ms: 1000 });
  const { ms, error } = await timed(zerokie.listApps({ signal: AbortSignal.timeout(50) }));
  assert.equal(error.name, 'TimeoutError');
  assert.ok(!(error instanceof zkit.ZkitError));
  assert.ok(ms < 800, `took ${ms} ms`);
});

test('one signal shared by many calls collects no listeners', async () => {
  const warnings = [];
  const onWarning = (warning) => warnings.push(warning);
  process.on('warning', onWarning);
  try {
    const controller = new AbortController();
    for (let round = 0; round < 3; round++) {
      await Promise.all(Array.from({ length: 10 }, () => zerokie.listApps({ signal: controller.signal })));
    }
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', onWarning);
  }
  assert.deepEqual(warnings.map(String), []);
});

test('aborting one call of many leaves the others alone', async () => {
  await sandbox.fault({ method: 'GET', path: `${APPS}/slow`, kind: 'delay', delay_ms: 300 });
  await zerokie.createApp({ name: 'quick', type: 'static' });
  const controller = new AbortController();
  const calls = [
    zerokie.getApp({ name: 'slow' }, { signal: controller.signal }),
    zerokie.getApp({ name: 'quick' }),
    zerokie.listApps(),
  ];
  await sandbox.arrived('/slow');
  controller.abort();
  const results = await Promise.allSettled(calls);
  assert.equal(results[0].reason.name, 'AbortError');
  assert.equal(results[1].value.name, 'quick');
  assert.equal(results[2].value.length, 1);
});
