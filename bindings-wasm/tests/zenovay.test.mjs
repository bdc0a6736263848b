// Zenovay over HTTP against the sandbox: websites, settings and analytics, both header styles,
// scopes and website-scoped keys, the documented errors with their codes, 429 with Retry-After (the
// JavaScript twin of bindings-python/tests/test_zenovay.py).

import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';

import * as zkit from 'zkit';

import { Sandbox, rejectsWith, untilRefused } from './support.mjs';

let sandbox;
let described;

const client = (apiKey = described.credentials.personal_token, options = {}) =>
  new zkit.Zenovay({ apiKey, baseUrl: described.base_url, jitterSeed: 7, ...options });

before(async () => {
  sandbox = await Sandbox.start();
  described = (await sandbox.control('GET', '')).apis.zenovay;
});
after(() => sandbox.stop());
beforeEach(() => sandbox.reset());

test('websites, settings and analytics', async () => {
  const zenovay = client();
  assert.deepEqual((await zenovay.listWebsites()).map((w) => w.id), ['site_shop', 'site_blog']);
  const shop = await zenovay.getWebsite({ id: 'site_shop' });
  assert.deepEqual([shop.domain, shop.timezone, shop.public], ['shop.example.com', 'Europe/Lisbon', false]);
  const updated = await zenovay.updateWebsite({ id: 'site_shop', name: 'Shop EU', timezone: 'Europe/Berlin', public: true });
  assert.deepEqual([updated.name, updated.timezone, updated.public], ['Shop EU', 'Europe/Berlin', true]);
  const range = { id: 'site_shop', from: '2026-11-01', to: '2026-11-30' };
  const summary = await zenovay.getAnalytics(range);
  assert.deepEqual([summary.website_id, summary.from, summary.to], ['site_shop', '2026-11-01', '2026-11-30']);
  assert.ok(summary.pageviews >= summary.visitors && summary.visitors > 0 && summary.bounce_rate >= 0 && summary.bounce_rate <= 1);
  assert.deepEqual(await zenovay.getAnalytics(range), summary, 'the same range gives the same figures');
  await rejectsWith(zenovay.getWebsite({ id: 'site_nowhere' }), zkit.NotFoundError, { status: 404 });
});

test('X-API-Key by default, Bearer on request', async () => {
  await client().listWebsites();
  let headers = (await sandbox.journal()).at(-1).headers;
  assert.ok('x-api-key' in headers && !('authorization' in headers));
  await client(undefined, { authHeader: 'authorization' }).listWebsites();
  headers = (await sandbox.journal()).at(-1).headers;
  assert.ok(headers.authorization.startsWith('Bearer ') && !('x-api-key' in headers));
});

test('scopes, website-scoped keys and the documented error codes', async () => {
  const reader = client(described.credentials.read_token);
  assert.ok((await reader.getAnalytics({ id: 'site_blog' })).visitors > 0);
  await rejectsWith(reader.updateWebsite({ id: 'site_blog', name: 'Mine' }), zkit.PermissionDeniedError, {
    status: 403,
    code: 'insufficient_permissions',
  });
  const site = client(described.credentials.site_key);
  assert.deepEqual((await site.listWebsites()).map((w) => w.id), ['site_blog']);
  await rejectsWith(site.getWebsite({ id: 'site_shop' }), zkit.NotFoundError);
  await rejectsWith(client('znv_not_a_sandbox_key_00000000').listWebsites(), zkit.AuthenticationError, {
    status: 401,
    code: 'invalid_api_key',
  });
  const workspace = client(described.credentials.workspace_key, { maxRetries: 0 });
  const error = await untilRefused(() => workspace.getWebsite({ id: 'site_shop' }), { budget: 120, refillMs: 500 });
  assert.ok(error instanceof zkit.RateLimitError, `${error}`);
  assert.deepEqual([error.status, error.code], [429, 'rate_limit_exceeded']);
  assert.ok(error.retryAfter > 0);
});

test('bad input is refused before sending', async () => {
  const zenovay = client();
  const refusals = [
    ['from', () => zenovay.getAnalytics({ id: 'site_shop', from: '2026-13-01' })],
    ['from', () => zenovay.getAnalytics({ id: 'site_shop', from: '2026-12-02', to: '2026-12-01' })],
    ['input', () => zenovay.updateWebsite({ id: 'site_shop' })],
    ['timezone', () => zenovay.updateWebsite({ id: 'site_shop', timezone: 'Mars' })],
    ['id', () => zenovay.getWebsite({ id: '' })],
  ];
  for (const [field, call] of refusals) await rejectsWith(call(), zkit.InvalidInputError, { field });
  assert.deepEqual(await sandbox.journal(), []);
});
