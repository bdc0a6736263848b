// Seeing calls from Node (the twin of bindings-python/tests/test_observe.py): hooks on every attempt,
// records through a logger at the level asked for (never with a key), ZKIT_LOG and the other ZKIT_*
// variables, and `withResponse` on typed calls.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, beforeEach, test } from 'node:test';

import * as zkit from 'zkit';

import { APPS, SANDBOX_KEY, Sandbox } from './support.mjs';

let sandbox;

before(async () => {
  sandbox = await Sandbox.start();
});
after(() => sandbox.stop());
beforeEach(() => sandbox.reset());

/** A logger that keeps what it is given. */
function keeping() {
  const records = [];
  const logger = Object.fromEntries(['debug', 'info', 'warn', 'error'].map((level) => [level, (message, fields) => records.push({ level, message, fields })]));
  return { logger, records };
}

test('hooks see every attempt, redacted', async () => {
  const requests = [];
  const responses = [];
  await sandbox.fault({ path: APPS, kind: 'status', status: 503, retry_after: '0' });
  await sandbox.fault({ path: APPS, kind: 'redirect', status: 307, location: APPS });
  const zerokie = new zkit.Zerokie({
    apiKey: SANDBOX_KEY,
    baseUrl: sandbox.zerokieUrl,
    onRequest: (request) => requests.push(request),
    onResponse: (response) => responses.push(response),
  });
  assert.deepEqual(await zerokie.listApps(), []);
  assert.deepEqual(requests.map((r) => r.attempt), [1, 2, 2]);
  assert.deepEqual(responses.map((r) => r.status), [503, 307, 200]);
  assert.deepEqual([requests[0].api, requests[0].operation, requests[0].method, requests[0].url], ['zerokie', 'list_apps', 'GET', `${sandbox.zerokieUrl}/v1/apps`]);
  assert.ok(requests[0].headers.some(([name, value]) => name === 'authorization' && value === '[redacted]'));
  assert.ok(responses.every((r) => r.requestId && r.durationMs > 0 && r.error === null));
  assert.ok(!JSON.stringify([requests, responses]).includes(SANDBOX_KEY));
});

test('a hook that throws is logged and the call goes on', async () => {
  const { logger, records } = keeping();
  const zerokie = new zkit.Zerokie({
    apiKey: SANDBOX_KEY,
    baseUrl: sandbox.zerokieUrl,
    logger,
    onRequest: () => {
      throw new Error('hook bug');
    },
  });
  assert.deepEqual(await zerokie.listApps(), []);
  assert.ok(records.some((r) => r.level === 'warn' && /onRequest hook threw.*hook bug/s.test(r.message)), JSON.stringify(records));
});

for (const logBodies of [false, true]) {
  test(`debug records reach the logger (bodies ${logBodies ? 'on' : 'off'})`, async () => {
    const { logger, records } = keeping();
    const zerokie = new zkit.Zerokie({ apiKey: SANDBOX_KEY, baseUrl: sandbox.zerokieUrl, log: 'debug', logBodies, logger });
    await zerokie.createApp({ name: 'logged', image: 'nginx:alpine' });
    assert.equal(records.length, 2, JSON.stringify(records));
    assert.match(records[0].message, /^zkit: create_app POST \/v1\/apps sending attempt=1/);
    assert.equal(records[1].fields.status, '201');
    assert.equal(records.some((r) => r.message.includes('nginx:alpine')), logBodies);
    assert.ok(!JSON.stringify(records).includes(SANDBOX_KEY));
  });
}

test('nothing is logged without a level, and info shows retries only', async () => {
  const { logger, records } = keeping();
  await new zkit.Zerokie({ apiKey: SANDBOX_KEY, baseUrl: sandbox.zerokieUrl, logger }).listApps();
  assert.deepEqual(records, []);
  await sandbox.fault({ path: APPS, kind: 'status', status: 502, retry_after: '0' });
  await new zkit.Zerokie({ apiKey: SANDBOX_KEY, baseUrl: sandbox.zerokieUrl, logger, log: 'info' }).listApps();
  assert.equal(records.length, 1);
  assert.match(records[0].message, /^zkit: retrying list_apps attempt=2/);
});

const run = promisify(execFile);
const cwd = new URL('.', import.meta.url).pathname;

test('ZKIT_LOG prints redacted records to the console', async () => {
  const env = { ...process.env, ZKIT_LOG: 'debug', ZEROKIE_API_KEY: SANDBOX_KEY, ZEROKIE_BASE_URL: sandbox.zerokieUrl };
  const code = "const zkit = require('zkit'); new zkit.Zerokie().listApps().then(() => {});";
  const { stdout, stderr } = await run(process.execPath, ['-e', code], { env, cwd });
  const printed = stdout + stderr;
  assert.match(printed, /zkit: list_apps GET \/v1\/apps sending attempt=1/);
  assert.match(printed, /status=200/);
  assert.ok(!printed.includes(SANDBOX_KEY));
});

test('ZKIT_MAX_RETRIES and ZKIT_TIMEOUT set what the options leave out', async () => {
  await sandbox.fault({ path: APPS, kind: 'status', status: 503, retry_after: '0', times: 5 });
  const env = { ...process.env, ZKIT_MAX_RETRIES: '3', ZEROKIE_API_KEY: SANDBOX_KEY, ZEROKIE_BASE_URL: sandbox.zerokieUrl };
  const code = "const zkit = require('zkit'); new zkit.Zerokie().listApps().catch((e) => console.log(e.status));";
  assert.equal((await run(process.execPath, ['-e', code], { env, cwd })).stdout.trim(), '503');
  assert.equal((await sandbox.journal()).length, 4, 'one attempt and three retries');
  const bad = "const zkit = require('zkit'); try { new zkit.Zerokie(); } catch (e) { console.log(e.field); }";
  assert.equal((await run(process.execPath, ['-e', bad], { env: { ...env, ZKIT_TIMEOUT: 'soon' }, cwd })).stdout.trim(), 'ZKIT_TIMEOUT');
});

test('withResponse gives the typed result with its facts', async () => {
  const zerokie = new zkit.Zerokie({ apiKey: SANDBOX_KEY, baseUrl: sandbox.zerokieUrl });
  const created = await zerokie.withResponse.createApp({ name: 'raw-app', image: 'nginx:alpine' });
  assert.equal(created.status, 201);
  assert.equal(created.data.name, 'raw-app');
  assert.ok(created.requestId);
});
