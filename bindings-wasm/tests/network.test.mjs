// HTTP as servers speak it, from Node (the twin of bindings-python/tests/test_http.py): compressed
// answers decoded, redirects followed by the rules browsers follow, RedirectError for the rest, a
// proxy from the settings or the environment (plain requests and CONNECT tunnels), and a private
// authority trusted through `caBundle` only.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, test } from 'node:test';

import * as zkit from 'zkit';

import { APPS, Proxy, SANDBOX_KEY, Sandbox } from './support.mjs';

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

for (const encoding of ['gzip', 'deflate', 'br']) {
  test(`a ${encoding} answer is decoded for typed and raw calls`, async () => {
    await zerokie.createApp({ name: 'packed', image: 'nginx:alpine' });
    await sandbox.fault({ path: `${APPS}/packed`, kind: 'encode', encoding, times: 2 });
    assert.equal((await zerokie.getApp({ name: 'packed' })).name, 'packed');
    assert.equal((await zerokie.raw('GET', '/v1/apps/packed')).json().name, 'packed');
    const journal = await sandbox.journal();
    assert.deepEqual(journal.slice(-2).map((e) => e.fault), ['encode', 'encode']);
    assert.match(journal.at(-1).headers['accept-encoding'], new RegExp(encoding));
  });
}

test('307 and 308 repeat the method and body; 303 follows with a GET', async () => {
  for (const status of [307, 308]) {
    await sandbox.fault({ method: 'POST', path: APPS, kind: 'redirect', status, location: APPS });
    assert.equal((await zerokie.createApp({ name: `moved-${status}`, image: 'nginx:alpine' })).name, `moved-${status}`);
    const posts = (await sandbox.journal()).filter((e) => e.method === 'POST').slice(-2);
    assert.deepEqual(posts.map((e) => e.status), [status, 201]);
    assert.equal(posts[0].body_len, posts[1].body_len);
  }
  await sandbox.fault({ method: 'POST', path: APPS, kind: 'redirect', status: 303, location: 'apps/moved-307' });
  const answer = await zerokie.raw('POST', '/v1/apps', { json: { name: 'never' } });
  assert.equal(answer.json().name, 'moved-307');
  const last = (await sandbox.journal()).at(-1);
  assert.deepEqual([last.method, last.body_len], ['GET', 0]);
});

test('a redirect to another origin carries no key', async () => {
  const port = new URL(sandbox.url).port;
  await sandbox.fault({ path: APPS, kind: 'redirect', status: 302, location: `http://localhost:${port}${APPS}` });
  await assert.rejects(zerokie.listApps(), zkit.AuthenticationError);
  const followed = (await sandbox.journal()).at(-1);
  assert.match(followed.headers.host, /^localhost:/);
  assert.equal(followed.headers.authorization, undefined);
});

test('redirects that are not followed reject with RedirectError', async () => {
  await sandbox.fault({ path: APPS, kind: 'redirect', status: 302, location: APPS, times: 20 });
  const looped = await zerokie.listApps().catch((error) => error);
  assert.ok(looped instanceof zkit.RedirectError, String(looped));
  assert.deepEqual([looped.kind, looped.status, looped.retryable], ['redirect', 302, false]);
  assert.match(looped.message, /10 redirects/);
  await sandbox.reset();
  await sandbox.fault({ path: APPS, kind: 'status', status: 304 });
  const notModified = await zerokie.raw('GET', '/v1/apps').catch((error) => error);
  assert.ok(notModified instanceof zkit.RedirectError && notModified.status === 304, String(notModified));
});

test('a proxy setting carries the calls, and a bad one is refused', async () => {
  const proxy = await Proxy.start();
  try {
    const proxied = new zkit.Zerokie({ apiKey: SANDBOX_KEY, baseUrl: sandbox.zerokieUrl, proxy: proxy.url });
    assert.deepEqual(await proxied.listApps(), []);
    assert.deepEqual(proxy.lines, [`GET ${sandbox.zerokieUrl}/v1/apps HTTP/1.1`]);
    await zerokie.listApps();
    assert.equal(proxy.lines.length, 1, 'a client without the setting goes straight to the server');
    assert.throws(() => new zkit.Zerokie({ apiKey: SANDBOX_KEY, proxy: 'socks5://127.0.0.1:1080' }), (e) => e.field === 'proxy');
  } finally {
    await proxy.close();
  }
});

test('HTTP_PROXY and NO_PROXY are honoured', async () => {
  const proxy = await Proxy.start();
  try {
    const code = "const zkit = require('zkit'); new zkit.Zerokie().listApps().then((apps) => console.log(JSON.stringify(apps)));";
    const env = { ...process.env, HTTP_PROXY: proxy.url, ZEROKIE_API_KEY: SANDBOX_KEY, ZEROKIE_BASE_URL: sandbox.zerokieUrl };
    // The proxy answers in this process, so the child runs without blocking this one's event loop.
    const cwd = new URL('.', import.meta.url).pathname;
    const run = async (extra) => (await promisify(execFile)(process.execPath, ['-e', code], { env: { ...env, ...extra }, cwd })).stdout;
    assert.equal((await run({})).trim(), '[]');
    assert.deepEqual(proxy.lines, [`GET ${sandbox.zerokieUrl}/v1/apps HTTP/1.1`]);
    assert.equal((await run({ NO_PROXY: '127.0.0.1' })).trim(), '[]');
    assert.equal(proxy.lines.length, 1);
  } finally {
    await proxy.close();
  }
});

test('a private authority is trusted only through caBundle, directly and through a CONNECT tunnel', async () => {
  const tls = await Sandbox.start({ tls: true });
  const proxy = await Proxy.start();
  try {
    const baseUrl = `${tls.url}/zerokie`;
    assert.match(baseUrl, /^https:\/\/127\.0\.0\.1:/);
    const refused = await new zkit.Zerokie({ apiKey: SANDBOX_KEY, baseUrl, maxRetries: 0 }).listApps().catch((e) => e);
    assert.ok(refused instanceof zkit.ConnectionError, String(refused));
    const pem = readFileSync(tls.caFile, 'utf8');
    for (const caBundle of [tls.caFile, pem, new TextEncoder().encode(pem)]) {
      assert.deepEqual(await new zkit.Zerokie({ apiKey: SANDBOX_KEY, baseUrl, caBundle }).listApps(), []);
    }
    const tunnelled = new zkit.Zerokie({ apiKey: SANDBOX_KEY, baseUrl, caBundle: pem, proxy: proxy.url });
    assert.deepEqual(await tunnelled.listApps(), []);
    assert.deepEqual(proxy.lines, [`CONNECT ${new URL(tls.url).host} HTTP/1.1`]);
    assert.throws(() => new zkit.Zerokie({ apiKey: SANDBOX_KEY, baseUrl, caBundle: '/no/such/file.pem' }), (e) => e.field === 'caBundle');
  } finally {
    await proxy.close();
    await tls.stop();
  }
});
