// Every Zerokie operation over HTTP against the sandbox (the JavaScript twin of
// bindings-python/tests/test_zerokie.py and core/tests/zerokie.rs).

import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';

import * as zkit from 'zkit';

import { SANDBOX_KEY, Sandbox, contractOperations } from './support.mjs';

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

test('container app lifecycle', async () => {
  const created = await zerokie.createApp({ name: 'my-app', image: 'nginx:alpine', port: 80, env: { NODE_ENV: 'production' } });
  assert.equal(Object.getPrototypeOf(created), Object.prototype, 'results are plain objects');
  assert.equal(created.name, 'my-app');
  assert.equal(created.image, 'nginx:alpine');
  assert.equal(created.port, 80);
  assert.equal(created.status, 'deploying');
  assert.equal(created.url, 'https://my-app.platform-dev.zerokie.com');

  await assert.rejects(zerokie.createApp({ name: 'my-app', image: 'nginx:alpine' }), (error) => {
    assert.ok(error instanceof zkit.ConflictError);
    assert.deepEqual([error.kind, error.status, error.message], ['conflict', 409, 'app name already exists']);
    return true;
  });

  await sandbox.advanceClock(10);
  const fetched = await zerokie.getApp({ name: 'my-app' });
  assert.equal(fetched.status, 'running');
  assert.deepEqual([fetched.instances, fetched.cpu, fetched.memory], [1, 256, 512]);
  assert.ok(fetched.created_at && fetched.updated_at);

  const deploy = await zerokie.deployApp({ name: 'my-app', image: 'nginx:1.27' });
  assert.deepEqual([deploy.name, deploy.image, deploy.status], ['my-app', 'nginx:1.27', 'deploying']);
  const redeploy = await zerokie.deployApp({ name: 'my-app' });
  assert.equal(redeploy.image, 'nginx:1.27', 'no image re-pulls the current one');

  const listed = await zerokie.listApps();
  assert.ok(Array.isArray(listed));
  assert.deepEqual(listed.map((app) => app.name), ['my-app']);

  assert.equal(await zerokie.deleteApp({ name: 'my-app' }), undefined);
  await assert.rejects(zerokie.getApp({ name: 'my-app' }), (error) => {
    assert.ok(error instanceof zkit.NotFoundError);
    assert.deepEqual([error.kind, error.status, error.message], ['not_found', 404, 'app not found']);
    assert.match(error.requestId, /^req_/);
    return true;
  });
  await assert.rejects(zerokie.deleteApp({ name: 'my-app' }), zkit.NotFoundError);
});

test('static site deploy with lock, files and finalize', async () => {
  const site = await zerokie.createApp({ name: 'my-site', type: 'static' });
  assert.equal(site.type, 'static');
  assert.ok(site.image === null || site.image === undefined);

  const session = zkit.newDeploySessionId();
  assert.match(session, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const lock = await zerokie.acquireDeployLock({ name: 'my-site', deploy_session_id: session });
  assert.equal(lock.locked, true);
  assert.equal(lock.deploy_session_id, session);
  assert.equal(typeof lock.expires_at, 'string', 'fields zkit does not model are kept');
  await assert.rejects(
    zerokie.acquireDeployLock({ name: 'my-site', deploy_session_id: zkit.newDeploySessionId() }),
    (error) => error instanceof zkit.ConflictError && error.status === 409,
  );

  const html = new TextEncoder().encode('<h1>hi</h1>');
  assert.equal(await zerokie.uploadFile({ name: 'my-site', path: 'index.html', content: html }), undefined);
  await zerokie.uploadFile({ name: 'my-site', path: 'assets/site v2.css', content: 'h1{}' });
  await zerokie.uploadFile({ name: 'my-site', path: 'old.txt', content: Buffer.from('bye') });
  assert.equal(await zerokie.deleteFile({ name: 'my-site', path: 'old.txt' }), undefined);
  await assert.rejects(zerokie.deleteFile({ name: 'my-site', path: 'old.txt' }), zkit.NotFoundError);

  const files = await zerokie.listFiles({ name: 'my-site' });
  assert.deepEqual(
    files.map((f) => [f.path, f.length]),
    [['assets/site v2.css', 4], ['index.html', 11]],
  );
  assert.ok(files.every((f) => typeof f.lastModified === 'string' && f.lastModified));

  // The upload went out as raw bytes with a Content-Type from the extension.
  const journal = await sandbox.journal();
  const css = journal.find((e) => e.method === 'PUT' && e.path.endsWith('.css'));
  assert.equal(css.path, '/zerokie/v1/apps/my-site/files/assets/site%20v2.css');
  assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
  assert.equal(css.body_len, 4);

  // 29 minutes in, a heartbeat keeps the lock for another 30.
  await sandbox.advanceClock(29 * 60);
  const renewed = await zerokie.renewDeployLock({ name: 'my-site', deploy_session_id: session });
  assert.equal(renewed.locked, true);
  await sandbox.advanceClock(29 * 60);
  const done = await zerokie.finalizeDeploy({
    name: 'my-site',
    deploy_session_id: session,
    files_uploaded: 2,
    files_deleted: 1,
    total_bytes: 15,
  });
  assert.equal(done.cache_purged, true);
  assert.match(done.deploy_id, /^d-/);
  assert.deepEqual(
    [done.summary.files_uploaded, done.summary.files_deleted, done.summary.total_bytes],
    [2, 1, 15],
  );

  // Finalize released the lock: a new session may take it.
  const following = zkit.newDeploySessionId();
  await zerokie.acquireDeployLock({ name: 'my-site', deploy_session_id: following });
  // Without a heartbeat it expires after 30 minutes; the heartbeat then fails and another session wins.
  await sandbox.advanceClock(31 * 60);
  await assert.rejects(zerokie.renewDeployLock({ name: 'my-site', deploy_session_id: following }), zkit.ConflictError);
  await zerokie.acquireDeployLock({ name: 'my-site', deploy_session_id: zkit.newDeploySessionId() });
});

test('custom domains', async () => {
  await zerokie.createApp({ name: 'my-site', type: 'static' });

  const domain = await zerokie.addDomain({ name: 'my-site', domain: 'www.example.com' });
  assert.equal(domain.domain, 'www.example.com');
  assert.equal(domain.cname_target, 'my-site.platform-dev.zerokie.com');
  assert.equal(domain.tls_status, 'pending');
  await assert.rejects(zerokie.addDomain({ name: 'my-site', domain: 'www.example.com' }), zkit.ConflictError);

  assert.equal(await zerokie.removeDomain({ name: 'my-site', domain: 'www.example.com' }), undefined);
  await assert.rejects(zerokie.removeDomain({ name: 'my-site', domain: 'www.example.com' }), zkit.NotFoundError);

  // The sandbox refuses apex domains too, for clients that skip the check (the raw call does).
  await assert.rejects(
    zerokie.raw('POST', '/v1/apps/my-site/domains', { json: { domain: 'example.com' } }),
    (error) => error instanceof zkit.BadRequestError && error.status === 400,
  );
});

test('invalid input never reaches the server', async () => {
  const session = zkit.newDeploySessionId();
  const empty = new Uint8Array();
  const refusals = [
    ['addDomain', { name: 'my-site', domain: 'example.com' }, 'domain'],
    ['uploadFile', { name: 'my-site', path: '../x.html', content: empty }, 'path'],
    ['uploadFile', { name: 'my-site', path: '/x.html', content: empty }, 'path'],
    ['uploadFile', { name: 'my-site', path: 'a\\x.html', content: empty }, 'path'],
    ['deleteFile', { name: 'my-site', path: 'a//x.html' }, 'path'],
    ['acquireDeployLock', { name: 'my-site', deploy_session_id: 'lock-1' }, 'deploy_session_id'],
    ['renewDeployLock', { name: '', deploy_session_id: session }, 'name'],
    ['createApp', { name: '', image: 'nginx' }, 'name'],
    ['createApp', { name: 'Not_A_Label', type: 'static' }, 'name'],
    ['createApp', { name: 'web' }, 'image'],
    ['createApp', { name: 'web', image: 'nginx', port: 'eighty' }, 'port'],
    ['uploadFile', { name: 'my-site', path: 'x.html', content_type: 'text/html\r\nX-Evil: 1' }, 'content_type'],
    ['getApp', { name: '' }, 'name'],
    ['getApp', {}, 'name'],
    ['createApp', { name: 'web', imgae: 'nginx' }, 'imgae'],
  ];
  for (const [method, params, field] of refusals) {
    await assert.rejects(zerokie[method](params), (error) => {
      assert.ok(error instanceof zkit.InvalidInputError, `${method}: ${error}`);
      assert.deepEqual([error.kind, error.field, error.status], ['invalid_input', field, null], method);
      assert.ok(error.message.startsWith(`${field}: `), error.message);
      assert.equal(error.retryable, false);
      return true;
    });
  }
  await assert.rejects(zerokie.raw('GET', '/v1/apps', { query: { key: SANDBOX_KEY } }), (error) => {
    assert.ok(error instanceof zkit.InvalidInputError);
    assert.equal(error.field, 'path');
    assert.ok(!String(error).includes(SANDBOX_KEY) && !error.message.includes(SANDBOX_KEY));
    assert.ok(!JSON.stringify(error).includes(SANDBOX_KEY));
    return true;
  });
  assert.deepEqual(await sandbox.journal(), [], 'nothing was sent');
});

test('files and domains belong to static apps', async () => {
  await zerokie.createApp({ name: 'api', image: 'nginx' });
  await assert.rejects(zerokie.listFiles({ name: 'api' }), (error) => {
    assert.ok(error instanceof zkit.BadRequestError);
    assert.deepEqual([error.kind, error.status, error.message], ['bad_request', 400, 'app is not a static app']);
    return true;
  });
  await assert.rejects(zerokie.addDomain({ name: 'api', domain: 'www.example.com' }), zkit.BadRequestError);
});

test('a wrong key is unauthorized and never echoed', async () => {
  const key = 'zrk_wrong_key_that_must_stay_secret';
  const client = new zkit.Zerokie({ apiKey: key, baseUrl: sandbox.zerokieUrl });
  const texts = [String(client), JSON.stringify(client), (await import('node:util')).inspect(client, { showHidden: true })];
  await assert.rejects(client.listApps(), (error) => {
    assert.ok(error instanceof zkit.AuthenticationError);
    assert.deepEqual([error.kind, error.status, error.message], ['unauthorized', 401, 'missing or invalid API key']);
    texts.push(String(error), error.stack, JSON.stringify(error), JSON.stringify(error.details));
    return true;
  });
  texts.push(String(client.withOptions({ timeoutMs: 5000 })));
  assert.ok(String(client).includes('zrk_…cret'), String(client));
  for (const text of texts) assert.ok(!text.includes(key), `the key leaked into ${text}`);
  assert.ok(!JSON.stringify(await sandbox.journal()).includes(key), 'the key leaked into the journal');
});

test('raw calls and response facts', async () => {
  await zerokie.createApp({ name: 'site', type: 'static' });

  const raw = await zerokie.raw('GET', '/v1/apps/site');
  assert.ok(raw instanceof zkit.RawResponse);
  assert.equal(raw.status, 200);
  assert.ok(raw.body instanceof Uint8Array);
  assert.equal(raw.json().name, 'site');
  assert.ok(raw.text().includes('"site"'));
  assert.match(raw.headers['content-type'], /^application\/json/);
  assert.equal(raw.attempts, 1);
  assert.match(raw.requestId, /^req_/);

  const put = await zerokie.raw('put', '/v1/apps/site/files/notes.txt', { body: 'plain', contentType: 'text/plain' });
  assert.ok([200, 201, 204].includes(put.status));
  const listed = await zerokie.raw('GET', '/v1/apps/site/files');
  assert.deepEqual(listed.json().map((f) => f.path), ['notes.txt']);

  const response = await zerokie.callJson('list_apps', {}, { maxRetries: 5 });
  assert.deepEqual([response.status, response.attempts, response.data.length], [200, 1, 1]);
  assert.match(response.requestId, /^req_/);
  assert.match(response.headers['content-type'], /^application\/json/);

  const meta = await zerokie.withResponse.getApp({ name: 'site' });
  assert.equal(meta.data.name, 'site');
  assert.deepEqual([meta.status, meta.attempts], [200, 1]);
  assert.match(meta.requestId, /^req_/);
  const nothing = await zerokie.withResponse.deleteFile({ name: 'site', path: 'notes.txt' });
  assert.equal(nothing.data, null);
  assert.ok(nothing.status >= 200 && nothing.status < 300);
  assert.equal((await zerokie.withResponse.listApps()).data.length, 1);

  await assert.rejects(zerokie.raw('GET', '/v1/apps/none'), zkit.NotFoundError);
  await assert.rejects(zerokie.raw('GET', '/v1/../admin'), (error) => error instanceof zkit.InvalidInputError && error.field === 'path');

  const fetched = await zerokie.callJson('get_app', { name: 'site' });
  assert.equal(fetched.data.type, 'static');
  await assert.rejects(zerokie.callJson('launch_rocket', {}), (error) => error instanceof zkit.InvalidInputError && error.field === 'operation');
  await assert.rejects(zerokie.callJson('get_app', {}), (error) => error instanceof zkit.InvalidInputError && error.field === 'name');
});

test('every operation of the contract has a typed method', async () => {
  const names = contractOperations('zerokie').map((operation) => operation.operationId);
  assert.equal(names.length, 13);
  for (const name of names) {
    const method = name.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
    assert.equal(typeof zkit.Zerokie.prototype[method], 'function', method);
    assert.equal(typeof zerokie.withResponse[method], 'function', method);
  }
  // …and each one returns a Promise, even when it refuses its input.
  const refused = zerokie.getApp('my-app');
  assert.ok(refused instanceof Promise);
  await assert.rejects(refused, TypeError);
});
