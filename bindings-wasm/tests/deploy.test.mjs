// The static-site deploy (`deploySite`) and the waiters (`waitUntil`) against the sandbox: the
// JavaScript twins of bindings-python/tests/test_deploy.py and core/tests/deploy.rs.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, test } from 'node:test';

import * as zkit from 'zkit';

import { SANDBOX_KEY, Sandbox, rejectsWith } from './support.mjs';

const APP = 'my-site';
const RESUME = '7d444840-9dc0-11d1-b245-5ffdce74fad2';
const MANIFEST = '.zkit-manifest.json';

let sandbox;
let zerokie;
let folder;

before(async () => {
  sandbox = await Sandbox.start();
});
after(() => sandbox.stop());
beforeEach(async () => {
  await sandbox.reset();
  zerokie = new zkit.Zerokie({ apiKey: SANDBOX_KEY, baseUrl: sandbox.zerokieUrl, jitterSeed: 7 });
  folder = mkdtempSync(join(tmpdir(), 'zkit-deploy-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

/** What the sandbox recorded for the app: `deployments` (finalized) and the `lock`. */
const deploys = () => sandbox.control('GET', `zerokie/apps/${APP}/deploys`);

/** The site's files as the service lists them: path to length (the manifest aside). */
async function remote() {
  const files = await zerokie.listFiles({ name: APP });
  return Object.fromEntries(files.filter((f) => f.path !== MANIFEST).map((f) => [f.path, f.length]));
}

/** The site paths of the uploads the sandbox received since journal entry `from`. */
async function uploads(from = 0) {
  const journal = (await sandbox.journal()).slice(from);
  return journal
    .filter((e) => e.method === 'PUT' && e.path.includes('/files/') && !e.path.endsWith(MANIFEST))
    .map((e) => decodeURIComponent(e.path.split('/files/')[1]))
    .sort();
}

function write(path, content) {
  mkdirSync(join(folder, path, '..'), { recursive: true });
  writeFileSync(join(folder, path), content);
}

test('a folder of 200 files deploys in one call and a redeploy sends only what changed', async () => {
  await zerokie.createApp({ name: APP, type: 'static' });
  const expected = {};
  for (let i = 0; i < 200; i++) {
    const path = `section ${i % 7}/página ${i % 3}/file ${i}.txt`;
    write(path, `content of ${i}`);
    expected[path] = `content of ${i}`.length;
  }
  write('.git/HEAD', 'ref: refs/heads/main');
  write('.DS_Store', '\0\0');

  const report = await zerokie.deploySite(APP, folder);
  assert.match(report.deploy_id, /^d-/);
  assert.deepEqual([report.files_uploaded, report.files_deleted, report.files_unchanged], [200, 0, 0]);
  assert.equal(report.total_bytes, Object.values(expected).reduce((a, b) => a + b, 0));
  assert.deepEqual([...report.ignored].sort(), ['.DS_Store', '.git/HEAD']);
  assert.equal(report.cache_purged, true);
  assert.deepEqual(await remote(), expected);
  const recorded = await deploys();
  assert.equal(recorded.lock, null, 'finalize released the lock');
  assert.deepEqual(recorded.deployments[0].summary, { files_uploaded: 200, files_deleted: 0, total_bytes: report.total_bytes });

  const before = (await sandbox.journal()).length;
  const again = await zerokie.deploySite(APP, folder);
  assert.deepEqual([again.files_uploaded, again.files_unchanged, again.deploy_id], [0, 200, null]);
  assert.deepEqual(await uploads(before), [], 'an unchanged folder uploads nothing');

  // Same length, other content (found by the manifest's hashes), one added, one removed.
  const first = 'section 0/página 0/file 0.txt';
  write(first, 'CONTENT OF 0');
  write('added.html', '<p>new</p>');
  unlinkSync(join(folder, 'section 1/página 1/file 1.txt'));
  const mark = (await sandbox.journal()).length;
  const changed = await zerokie.deploySite(APP, folder);
  assert.deepEqual([...changed.uploaded].sort(), ['added.html', first]);
  assert.deepEqual(changed.deleted, ['section 1/página 1/file 1.txt']);
  assert.deepEqual(await uploads(mark), ['added.html', first]);
  assert.equal((await deploys()).deployments.length, 2);
});

test('entries deploy text, bytes, Blobs and files; a dry run only lists', async () => {
  await zerokie.createApp({ name: APP, type: 'static' });
  write('big.bin', Buffer.alloc(1024 * 1024, 7));
  const site = {
    'index.html': '<p>one</p>',
    'notes/read me.txt': new TextEncoder().encode('text'),
    'blob.txt': new Blob(['blob']),
    'big.bin': { file: join(folder, 'big.bin') },
  };
  const before = (await sandbox.journal()).length;
  const plan = await zerokie.deploySite(APP, site, { dryRun: true });
  assert.deepEqual([plan.dry_run, plan.deploy_id], [true, null]);
  assert.deepEqual([...plan.uploaded].sort(), ['big.bin', 'blob.txt', 'index.html', 'notes/read me.txt']);
  assert.deepEqual(await remote(), {});
  assert.deepEqual(await deploys(), { deployments: [], lock: null });
  const sent = (await sandbox.journal()).slice(before).filter((e) => e.method !== 'GET');
  assert.deepEqual(sent, [], 'a dry run sends only the listing');

  const report = await zerokie.deploySite(APP, new Map(Object.entries(site)), { deleteRemoved: false, concurrency: 2 });
  assert.equal(report.total_bytes, 10 + 4 + 4 + 1024 * 1024);
  assert.deepEqual(await remote(), { 'big.bin': 1024 * 1024, 'blob.txt': 4, 'index.html': 10, 'notes/read me.txt': 4 });

  const kept = await zerokie.deploySite(APP, [{ path: 'other.txt', content: 'x' }], { deleteRemoved: false });
  assert.deepEqual([kept.files_deleted, kept.deleted], [0, []]);
  assert.equal(Object.keys(await remote()).length, 5);
});

test('progress reaches onProgress in order, and one that throws does not break the deploy', async () => {
  await zerokie.createApp({ name: APP, type: 'static' });
  const events = [];
  const report = await zerokie.deploySite(APP, { 'a.txt': 'aaa', 'b.txt': 'bb' }, { onProgress: (e) => events.push(e) });
  const kinds = events.map((e) => e.event);
  assert.equal(kinds[0], 'planned');
  assert.deepEqual([events[0].uploads, events[0].upload_bytes], [2, 5]);
  assert.deepEqual(kinds.slice(-2), ['finalizing', 'done']);
  for (const path of ['a.txt', 'b.txt']) {
    const steps = events.filter((e) => e.path === path).map((e) => e.event);
    assert.equal(steps[0], 'file_started');
    assert.equal(steps.at(-1), 'file_done');
    assert.ok(steps.includes('bytes_sent'));
  }
  const totals = events.filter((e) => e.event === 'bytes_sent').map((e) => e.total_sent);
  assert.deepEqual(totals, [...totals].sort((a, b) => a - b));
  assert.equal(totals.at(-1), 5);
  assert.equal(events.at(-1).report.deploy_id, report.deploy_id);

  const written = [];
  const write = process.stderr.write;
  process.stderr.write = (line) => written.push(String(line)) > 0;
  try {
    const broken = await zerokie.deploySite(APP, { 'c.txt': 'c' }, {
      onProgress() {
        throw new Error("a bug in the user's function");
      },
    });
    assert.equal(broken.files_uploaded, 1);
  } finally {
    process.stderr.write = write;
  }
  assert.ok(written.some((line) => line.includes("a bug in the user's function")), 'each failure is reported');
});

test('a held lock is a conflict; 5xx uploads are retried; a permanent failure never finalizes', async () => {
  await zerokie.createApp({ name: APP, type: 'static' });
  const rival = zkit.newDeploySessionId();
  await zerokie.acquireDeployLock({ name: APP, deploy_session_id: rival });
  await assert.rejects(zerokie.deploySite(APP, { 'a.txt': 'a' }), (error) => {
    assert.ok(error instanceof zkit.ConflictError, `${error}`);
    assert.match(error.message, /another deploy/);
    return true;
  });
  assert.deepEqual(await remote(), {});

  // The rival's session resumes the deploy; two 503s on an upload are retried.
  await sandbox.fault({ method: 'PUT', path: `/zerokie/v1/apps/${APP}/files/a`, status: 503, times: 2 });
  const report = await zerokie.deploySite(APP, { 'a.txt': 'a', 'b.txt': 'b' }, { sessionId: rival });
  assert.deepEqual([report.deploy_session_id, report.files_uploaded], [rival, 2]);
  assert.equal((await uploads()).filter((p) => p === 'a.txt').length, 3);

  await sandbox.fault({ method: 'PUT', path: `/zerokie/v1/apps/${APP}/files/bad`, status: 400, body: { error: 'bad file' } });
  const finalized = (await deploys()).deployments.length;
  await rejectsWith(zerokie.deploySite(APP, { 'bad.txt': 'x', 'good.txt': 'y' }), zkit.BadRequestError);
  const recorded = await deploys();
  assert.equal(recorded.deployments.length, finalized, 'not finalized');
  assert.notEqual(recorded.lock, null, 'the lock is left to expire');
});

test('an abort stops the deploy before it finalizes and the warning names the session', async () => {
  await zerokie.createApp({ name: APP, type: 'static' });
  await sandbox.fault({ method: 'PUT', path: `/zerokie/v1/apps/${APP}/files/f`, kind: 'delay', delay_ms: 2000, times: 8 });
  const warnings = [];
  const onWarning = (warning) => warnings.push(warning);
  process.on('warning', onWarning);
  const files = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`f${i}.txt`, 'x']));
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 400);
  try {
    await assert.rejects(
      zerokie.deploySite(APP, files, { concurrency: 2, sessionId: RESUME, signal: controller.signal }),
      (error) => error === controller.signal.reason,
    );
    await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
  } finally {
    process.off('warning', onWarning);
  }
  const warning = warnings.find((w) => w.code === 'ZKIT_DEPLOY_CANCELLED');
  assert.ok(warning && warning.message.includes('not finalized') && warning.message.includes(RESUME), `${warnings}`);
  assert.deepEqual((await deploys()).deployments, []);
  assert.equal((await uploads()).length, 2, 'only the uploads in flight');
});

test('a heartbeat renews the lock while a deploy outlives its period', async () => {
  await zerokie.createApp({ name: APP, type: 'static' });
  await sandbox.fault({ method: 'PUT', path: `/zerokie/v1/apps/${APP}/files/slow`, kind: 'delay', delay_ms: 450, times: 1 });
  const events = [];
  const mark = (await sandbox.journal()).length;
  await zerokie.deploySite(APP, { 'slow.txt': 'x' }, { heartbeatMs: 100, onProgress: (e) => events.push(e.event) });
  const renewals = (await sandbox.journal()).slice(mark).filter((e) => e.method === 'PUT' && e.path.endsWith('/deploy/lock'));
  assert.ok(renewals.length >= 2, `${renewals.length} renewals in 450 ms at one per 100 ms`);
  assert.equal(events.filter((e) => e === 'lock_renewed').length, renewals.length);
  const after = (await sandbox.journal()).length;
  await new Promise((resolve) => setTimeout(resolve, 250));
  assert.equal((await sandbox.journal()).length, after, 'the heartbeat stops with the deploy');
});

test('bad input is refused before anything is sent', async () => {
  await assert.rejects(zerokie.deploySite(APP, { '../escape.txt': 'x' }), zkit.InvalidInputError);
  await rejectsWith(zerokie.deploySite(APP, { 'a.txt': 'x' }, { concurrency: 0 }), zkit.InvalidInputError, { field: 'concurrency' });
  await rejectsWith(zerokie.deploySite(APP, { 'a.txt': 42 }), zkit.InvalidInputError, { field: 'content' });
  await rejectsWith(zerokie.deploySite(APP, '/no/such/folder'), zkit.InvalidInputError, { field: 'source' });
  await assert.rejects(zerokie.deploySite(APP, {}, { dryrun: true }), /unknown option "dryrun"/);
  symlinkSync(tmpdir(), join(folder, 'outside'));
  await assert.rejects(zerokie.deploySite(APP, folder), (error) => {
    assert.ok(error instanceof zkit.InvalidInputError);
    assert.match(error.message, /outside the folder/);
    return true;
  });
  assert.deepEqual(await sandbox.journal(), []);
});

test('a waiter polls until the app runs, and times out with the last state', async () => {
  await zerokie.createApp({ name: 'web', image: 'nginx:alpine' });
  setTimeout(() => sandbox.advanceClock(10), 300);
  const app = await zerokie.waitUntil('app_running', { name: 'web' }, { firstDelayMs: 50, maxDelayMs: 100 });
  assert.equal(app.status, 'running');
  const polls = (await sandbox.journal()).filter((e) => e.method === 'GET' && e.path.endsWith('/v1/apps/web'));
  assert.ok(polls.length >= 3, 'it polled while the app deployed');

  await zerokie.createApp({ name: 'late', image: 'nginx:alpine' });
  await assert.rejects(zerokie.waitUntil('app_running', { name: 'late' }, { timeoutMs: 300, firstDelayMs: 50, maxDelayMs: 100 }), (error) => {
    assert.ok(error instanceof zkit.TimeoutError, `${error}`);
    assert.deepEqual([error.details.waiter, error.details.last_state, error.details.last.name], ['app_running', 'deploying', 'late']);
    return true;
  });
  await rejectsWith(zerokie.waitUntil('app_up', { name: 'web' }), zkit.InvalidInputError, { field: 'waiter' });
  assert.equal(zkit.Zerokie.waiters().app_running.operation, 'get_app');
  assert.ok('virtual_server_running' in zkit.Zyra.waiters());
});
