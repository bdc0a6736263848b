// Bytes over HTTP against the sandbox (the JavaScript twin of bindings-python/tests/test_data_path.py
// and core/tests/data_path.rs): uploads from a Uint8Array, an ArrayBuffer, a Buffer, a Blob and a file
// arrive byte for byte, downloads come back as Uint8Array, bad content and missing files are refused by
// name before anything is sent, and a 100 MiB upload costs memory of the order of the file.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, openSync, rmSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { promisify } from 'node:util';

import * as zkit from 'zkit';

import { SANDBOX_KEY, Sandbox, rejectsWith } from './support.mjs';

const MIB = 1024 * 1024;
let sandbox;
let zerokie;
let dir;

/** Bytes that differ from offset to offset, so a shifted or repeated chunk cannot pass. */
function pattern(length) {
  const out = new Uint8Array(length);
  let state = 0x2545f491;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
  return out;
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

async function stored(path) {
  const digest = await sandbox.control('GET', `zerokie/apps/my-site/files/${path}`);
  return [digest.length, digest.sha256];
}

before(async () => {
  sandbox = await Sandbox.start();
  dir = mkdtempSync(join(tmpdir(), 'zkit-data-path-'));
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await sandbox.stop();
});
beforeEach(async () => {
  await sandbox.reset();
  zerokie = new zkit.Zerokie({ apiKey: SANDBOX_KEY, baseUrl: sandbox.zerokieUrl, jitterSeed: 7 });
  await zerokie.createApp({ name: 'my-site', type: 'static' });
});

test('a 20 MiB upload from memory and from a file arrives byte for byte, and downloads back whole', async () => {
  const content = pattern(20 * MIB);
  const expected = [content.length, sha256(content)];
  await zerokie.uploadFile({ name: 'my-site', path: 'memory.bin', content });
  assert.deepEqual(await stored('memory.bin'), expected);

  const file = join(dir, 'clip.mp4');
  writeFileSync(file, content);
  await zerokie.uploadFile({ name: 'my-site', path: 'video/clip.mp4', file });
  assert.deepEqual(await stored('video/clip.mp4'), expected);
  const handle = await open(file);
  try {
    await zerokie.uploadFile({ name: 'my-site', path: 'video/again.mp4', file: handle });
  } finally {
    await handle.close();
  }
  assert.deepEqual(await stored('video/again.mp4'), expected);

  const back = await zerokie.raw('GET', '/v1/apps/my-site/files/video/clip.mp4');
  assert.ok(back.body instanceof Uint8Array);
  assert.equal(sha256(back.body), expected[1]);
});

test('ArrayBuffer, Buffer, views, Blob and text are content', async () => {
  const content = pattern(MIB + 3);
  await zerokie.uploadFile({ name: 'my-site', path: 'a.bin', content: content.buffer });
  await zerokie.uploadFile({ name: 'my-site', path: 'b.bin', content: Buffer.from(content).subarray(1) });
  await zerokie.uploadFile({ name: 'my-site', path: 'c.bin', content: new DataView(content.buffer, 2) });
  await zerokie.uploadFile({ name: 'my-site', path: 'd.bin', content: new Blob([content]) });
  await zerokie.uploadFile({ name: 'my-site', path: 'e.txt', content: 'héllo' });
  assert.deepEqual(await stored('a.bin'), [content.length, sha256(content)]);
  assert.deepEqual(await stored('b.bin'), [content.length - 1, sha256(content.subarray(1))]);
  assert.deepEqual(await stored('c.bin'), [content.length - 2, sha256(content.subarray(2))]);
  assert.deepEqual(await stored('d.bin'), [content.length, sha256(content)]);
  assert.equal((await stored('e.txt'))[0], Buffer.byteLength('héllo'));
});

test('content that is not bytes is refused by name, before anything is sent', async () => {
  const before = (await sandbox.journal()).length;
  for (const content of [123, [1, 2, 3], { a: 1 }, true]) {
    await rejectsWith(zerokie.uploadFile({ name: 'my-site', path: 'x.bin', content }), zkit.InvalidInputError, { field: 'content' });
  }
  assert.equal((await sandbox.journal()).length, before, 'nothing was sent');
});

test('a missing file is refused by name, before anything is sent', async () => {
  const before = (await sandbox.journal()).length;
  const missing = join(dir, 'no-such-file.bin');
  await assert.rejects(zerokie.uploadFile({ name: 'my-site', path: 'x.bin', file: missing }), (error) => {
    assert.ok(error instanceof zkit.InvalidInputError);
    assert.equal(error.field, 'file');
    assert.match(error.message, /no-such-file\.bin/);
    return true;
  });
  await rejectsWith(
    zerokie.uploadFile({ name: 'my-site', path: 'x.bin', file: missing, content: 'x' }),
    zkit.InvalidInputError,
    { field: 'file' },
  );
  assert.equal((await sandbox.journal()).length, before, 'nothing was sent');
});

test('a download arrives as a Uint8Array', async () => {
  const described = (await sandbox.control('GET', '')).apis.zyra;
  const zyra = new zkit.Zyra({ apiKey: described.credentials.admin_key, baseUrl: described.base_url, rateLimit: false });
  const invoice = (await zyra.listInvoices()).items[0];
  const pdf = await zyra.downloadInvoicePdf({ id: invoice.id });
  const raw = await zyra.raw('GET', `/invoices/${invoice.id}/pdf`);
  assert.ok(pdf.content instanceof Uint8Array);
  assert.equal(Buffer.from(pdf.content.subarray(0, 5)).toString(), '%PDF-');
  assert.deepEqual(Buffer.from(pdf.content), Buffer.from(raw.body));
  assert.equal(pdf.content_type, 'application/pdf');
});

// Peak memory of a 100 MiB upload, in a fresh process: the resident set's growth while it uploads.
const MEASURE = `
  const zkit = require('zkit');
  const { readFileSync } = require('node:fs');
  const [url, source, path, key] = process.argv.slice(1);
  (async () => {
    const client = new zkit.Zerokie({ apiKey: key, baseUrl: url, rateLimit: false });
    await client.listApps();
    const content = source === 'memory' ? readFileSync(path) : undefined;
    let peak = process.memoryUsage().rss;
    const before = peak;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    if (content) await client.uploadFile({ name: 'my-site', path: 'big.bin', content });
    else await client.uploadFile({ name: 'my-site', path: 'big.bin', file: path });
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    console.log(JSON.stringify({ growth: peak - before }));
  })();
`;

for (const source of ['memory', 'file']) {
  test(`a 100 MiB upload from ${source} keeps memory bounded`, async () => {
    const size = 100 * MIB;
    const file = join(dir, `big-${source}.bin`);
    const chunk = pattern(MIB);
    const fd = openSync(file, 'w');
    for (let i = 0; i < size / MIB; i++) writeSync(fd, chunk);
    closeSync(fd);
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', MEASURE, sandbox.zerokieUrl, source, file, SANDBOX_KEY], {
      cwd: join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..'),
    });
    const { growth } = JSON.parse(stdout);
    assert.equal((await stored('big.bin'))[0], size);
    // Generous: a regression to one JSON number per byte grows by gigabytes, and a file that is not
    // streamed (sent through Node's fetch, which holds a streamed body) by about its size.
    const bound = source === 'memory' ? 4 * size : 80 * MIB;
    assert.ok(growth < bound, `the resident set grew by ${(growth / MIB).toFixed(1)} MiB uploading 100 MiB from ${source}`);
  });
}
