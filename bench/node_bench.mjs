// zkit's npm package against fetch and undici, over the bench server.
//
//   node bench/node_bench.mjs --url http://127.0.0.1:PORT [--quick] [--peers-only]
//
// ZKIT_PKG names the package directory (default bindings-wasm/pkg), UNDICI_DIR the directory undici is
// installed under (default target/bench-node). Prints one table: the figure, zkit's time, the peer's,
// zkit / peer, the goal, and whether it is met. Each upload runs in a process of its own (this script, re-run with
// --child), which reads its peak RSS (process.resourceUsage().maxRSS) before and after.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, statSync, unlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const ZEROKIE_KEY = 'zrk_bench_0c0ffee0c0ffee0c0ffee0c0ffee';
const APP = 'app-1';
const MIB = 1024 * 1024;
const HEADERS = { authorization: `Bearer ${ZEROKIE_KEY}`, accept: 'application/json' };
// What zkit aims for (time ratio = zkit time / peer time), per figure: the goal's text and the largest
// figure that meets it (a time ratio, or MiB of peak RSS growth). The time goals are set against fetch;
// the undici rows have none of their own ('-'). The RSS goals are zkit's own, so they hold on every row.
const GOALS = {
  call: ['<= 1.25x fetch', 1.25],
  list: ['<= 1.5x fetch', 1.5],
  transfer: ['<= 1.43x time', 1.43], // 0.7x fetch's throughput
  'rss-file': ['<= 32 MiB', 32],
};
const NO_GOAL = ['-', null];
// The peak RSS growth of an upload from memory, as a multiple of the payload.
const RSS_FACTOR = 1.2;
const rssGoal = (kind, size) =>
  kind === 'upload-file'
    ? GOALS['rss-file']
    : [`<= ${RSS_FACTOR}x the file (${((RSS_FACTOR * size) / MIB).toFixed(0)} MiB)`, (RSS_FACTOR * size) / MIB];

function parseArgs(argv) {
  const args = { quick: false, peersOnly: false, bytes: 100 * MIB };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--quick') args.quick = true;
    else if (flag === '--peers-only') args.peersOnly = true;
    else if (['--url', '--child', '--client', '--file', '--bytes'].includes(flag)) args[flag.slice(2)] = argv[++i];
    else throw new Error(`unknown argument ${flag}`);
  }
  if (!args.url) throw new Error('--url is needed');
  args.url = args.url.replace(/\/$/, '');
  args.bytes = Number(args.bytes);
  return args;
}

async function loadZkit() {
  const pkg = resolve(process.env.ZKIT_PKG ?? join(root, 'bindings-wasm/pkg'));
  return import(pathToFileURL(join(pkg, 'index.mjs')).href);
}

function loadUndici() {
  const dir = resolve(process.env.UNDICI_DIR ?? join(root, 'target/bench-node'));
  return createRequire(join(dir, 'package.json'))('undici');
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function medianTime(rounds, run) {
  const times = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await run();
    times.push((performance.now() - started) / 1e3);
  }
  return median(times);
}

/** A fixed pattern of `size` bytes (the same one the Rust and Python benchmarks send). */
function payload(size) {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = i % 251;
  return out;
}

const SKIPPED = 'skipped';
const quotient = (z, p) => (typeof z === 'number' && typeof p === 'number' && p > 0 ? z / p : null);
const ratio = (z, p) => (quotient(z, p) == null ? '-' : `${quotient(z, p).toFixed(2)}x`);
/** Whether a figure (a time ratio, or MiB) meets its goal: 'yes' when at most `limit`, 'no' when above, '-'
 * when either is unknown (no goal for the row, or the figure failed). */
const meets = (value, limit) => (value == null || limit == null ? '-' : value <= limit ? 'yes' : 'no');
const cell = (v, text) => (v === SKIPPED ? SKIPPED : v == null ? 'failed' : text(v));
const us = (calls) => (s) => `${((s * 1e6) / calls).toFixed(1)} µs/call`;

async function attempt(label, run) {
  try {
    return await run();
  } catch (e) {
    console.error(`${label}: ${e?.stack ?? e}`);
    return null;
  }
}

class Table {
  rows = [];
  add(...row) {
    this.rows.push(row);
    console.error(`  ${row[0]}: zkit ${row[1]}, ${row[2]}, ${row[3]}, met ${row[5]}`);
  }
  print(title) {
    const header = ['figure', 'zkit', 'peer', 'ratio', 'goal', 'met'];
    const all = [header, ...this.rows];
    const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
    console.log(`== ${title}`);
    all.forEach((row, n) => {
      console.log(row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd());
      if (n === 0) console.log('-'.repeat(widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1)));
    });
    console.log();
  }
}

// ----------------------------------------------------------------------------------------------------
// Calls

async function calls(args, table) {
  const { url } = args;
  const appUrl = `${url}/zerokie/v1/apps/${APP}`;
  const listUrl = `${url}/zerokie/v1/apps`;
  const [sequential, concurrent, rounds, listRounds] = args.quick ? [500, 1000, 1, 3] : [2000, 1000, 5, 5];
  const undici = loadUndici();
  const zkit = args.peersOnly ? null : await attempt('loading zkit', loadZkit);
  const zerokie = zkit && new zkit.Zerokie({ apiKey: ZEROKIE_KEY, baseUrl: `${url}/zerokie`, rateLimit: false });

  const get = {
    zkit: async () => (await zerokie.getApp({ name: APP })).name,
    fetch: async () => {
      const res = await fetch(appUrl, { headers: HEADERS });
      if (!res.ok) throw new Error(`status ${res.status}`);
      return (await res.json()).name;
    },
    undici: async () => {
      const { statusCode, body } = await undici.request(appUrl, { headers: HEADERS });
      if (statusCode !== 200) throw new Error(`status ${statusCode}`);
      return (await body.json()).name;
    },
  };
  const list = {
    zkit: async () => (await zerokie.listApps()).map((app) => app.name),
    fetch: async () => {
      const res = await fetch(listUrl, { headers: HEADERS });
      if (!res.ok) throw new Error(`status ${res.status}`);
      return (await res.json()).map((app) => app.name);
    },
    undici: async () => {
      const { statusCode, body } = await undici.request(listUrl, { headers: HEADERS });
      if (statusCode !== 200) throw new Error(`status ${statusCode}`);
      return (await body.json()).map((app) => app.name);
    },
  };

  const measure = async (who, run) => {
    if (who === 'zkit' && !zerokie) return args.peersOnly ? SKIPPED : null;
    return attempt(`${who}`, run);
  };
  const seq = async (who) =>
    measure(who, async () => {
      for (let i = 0; i < 100; i++) await get[who]();
      return medianTime(rounds, async () => {
        for (let i = 0; i < sequential; i++) await get[who]();
      });
    });
  const conc = async (who) =>
    measure(who, async () => {
      await Promise.all(Array.from({ length: 100 }, get[who]));
      return medianTime(rounds, async () => {
        const names = await Promise.all(Array.from({ length: concurrent }, get[who]));
        if (names.some((n) => !n)) throw new Error('an app without a name');
      });
    });
  const lists = async (who) =>
    measure(who, async () => {
      await list[who]();
      return medianTime(listRounds, async () => {
        if ((await list[who]()).length !== 10_000) throw new Error('not 10,000 apps');
      });
    });

  for (const [figure, run, calls, format, goal] of [
    [`getApp x${sequential}, sequential`, seq, sequential, us(sequential), GOALS.call],
    [`getApp x${concurrent}, Promise.all`, conc, concurrent, us(concurrent), GOALS.call],
    [`listApps (10,000 apps) reading every name, median of ${listRounds}`, lists, 1, (s) => `${(s * 1e3).toFixed(1)} ms`, GOALS.list],
  ]) {
    const z = await run('zkit');
    for (const peer of ['fetch', 'undici']) {
      const p = await run(peer);
      const label = peer === 'undici' ? 'undici.request' : 'fetch';
      const [text, limit] = peer === 'fetch' ? goal : NO_GOAL;
      table.add(figure, cell(z, format), `${cell(p, format)} (${label})`, ratio(z, p), text, meets(quotient(z, p), limit));
    }
  }
}

// ----------------------------------------------------------------------------------------------------
// Uploads, one process each

async function child(args) {
  const { url, bytes: size } = args;
  const uploadUrl = `${url}/zerokie/v1/apps/${APP}/files/bench/upload.bin`;
  const data = args.child === 'upload-memory' ? payload(size) : null;
  let zerokie;
  let undici;
  if (args.client === 'zkit') {
    const zkit = await loadZkit();
    zerokie = new zkit.Zerokie({ apiKey: ZEROKIE_KEY, baseUrl: `${url}/zerokie`, rateLimit: false });
    await zerokie.getApp({ name: APP });
  } else {
    undici = loadUndici();
    await (await fetch(`${url}/zerokie/v1/apps/${APP}`, { headers: HEADERS })).json();
    await (await undici.request(`${url}/zerokie/v1/apps/${APP}`, { headers: HEADERS })).body.json();
  }
  const headers = { authorization: `Bearer ${ZEROKIE_KEY}`, 'content-type': 'application/octet-stream' };
  const before = process.resourceUsage().maxRSS;
  const started = performance.now();
  const checked = async (promise) => {
    const res = await promise;
    const status = res.status ?? res.statusCode;
    if (status >= 300) throw new Error(`status ${status}`);
    if (res.body?.dump) await res.body.dump();
  };
  if (args.child === 'upload-memory') {
    if (args.client === 'zkit') await zerokie.uploadFile({ name: APP, path: 'bench/upload.bin', content: data });
    else if (args.client === 'fetch') await checked(fetch(uploadUrl, { method: 'PUT', headers, body: data }));
    else await checked(undici.request(uploadUrl, { method: 'PUT', headers, body: data }));
  } else {
    const length = statSync(args.file).size;
    if (args.client === 'zkit') await zerokie.uploadFile({ name: APP, path: 'bench/upload.bin', file: args.file });
    else if (args.client === 'fetch') {
      const { Readable } = await import('node:stream');
      const body = Readable.toWeb(createReadStream(args.file));
      await checked(fetch(uploadUrl, { method: 'PUT', headers: { ...headers, 'content-length': String(length) }, body, duplex: 'half' }));
    } else {
      const body = createReadStream(args.file);
      await checked(undici.request(uploadUrl, { method: 'PUT', headers: { ...headers, 'content-length': String(length) }, body }));
    }
  }
  const seconds = (performance.now() - started) / 1e3;
  const after = process.resourceUsage().maxRSS;
  const expected = createHash('sha256').update(data ?? readFileSync(args.file)).digest('hex');
  const last = await (await fetch(`${url}/__bench/last-upload`)).json();
  if (last.length !== size || last.sha256 !== expected) throw new Error(`the server received ${JSON.stringify(last)}`);
  console.log(JSON.stringify({ seconds, rss_growth_kib: Math.max(0, after - before) }));
}

function runChild(args, kind, client, file) {
  const done = spawnSync(
    process.execPath,
    [fileURLToPath(import.meta.url), '--child', kind, '--client', client, '--url', args.url, '--bytes', String(args.bytes), '--file', file],
    { encoding: 'utf8', timeout: 600_000, maxBuffer: 16 * MIB },
  );
  if (done.status !== 0) {
    const lines = (done.stderr ?? '').trim().split('\n');
    throw new Error(lines.slice(0, 3).join(' | ') || `exit ${done.status}`);
  }
  return JSON.parse(done.stdout.trim().split('\n').pop());
}

async function uploads(args, table) {
  const rounds = args.quick ? 1 : 3;
  const file = join(tmpdir(), `zkit-bench-${process.pid}.bin`);
  writeFileSync(file, payload(args.bytes));
  const label = `${Math.round(args.bytes / MIB)} MiB`;
  try {
    for (const [kind, figure] of [
      ['upload-memory', `uploadFile ${label} from a Uint8Array`],
      ['upload-file', `uploadFile ${label} from a file (peers: a read stream)`],
    ]) {
      const results = {};
      for (const client of ['zkit', 'fetch', 'undici']) {
        if (client === 'zkit' && args.peersOnly) {
          results[client] = SKIPPED;
          continue;
        }
        try {
          const runs = Array.from({ length: rounds }, () => runChild(args, kind, client, file));
          results[client] = [median(runs.map((r) => r.seconds)), median(runs.map((r) => r.rss_growth_kib))];
        } catch (e) {
          console.error(`${figure} with ${client}: ${e.message}`);
          results[client] = null;
        }
      }
      const speed = (r) => `${(args.bytes / MIB / r[0]).toFixed(0)} MiB/s`;
      const memory = (r) => `+${(r[1] / 1024).toFixed(1)} MiB`;
      const pick = (r, i) => (Array.isArray(r) ? r[i] : null);
      for (const peer of ['fetch', 'undici']) {
        const z = results.zkit;
        const p = results[peer];
        const name = peer === 'undici' ? 'undici.request' : 'fetch';
        const [text, limit] = peer === 'fetch' ? GOALS.transfer : NO_GOAL;
        table.add(
          `${figure}: throughput`, cell(z, speed), `${cell(p, speed)} (${name})`, ratio(pick(z, 0), pick(p, 0)), text,
          meets(quotient(pick(z, 0), pick(p, 0)), limit),
        );
        const pr = pick(p, 1);
        const zr = pick(z, 1);
        const [rssText, rssLimit] = rssGoal(kind, args.bytes);
        table.add(
          `${figure}: peak RSS growth`, cell(z, memory), `${cell(p, memory)} (${name})`,
          pr != null && pr >= 1024 ? ratio(zr, pr) : '-', rssText, meets(zr == null ? null : zr / 1024, rssLimit),
        );
      }
    }
  } finally {
    unlinkSync(file);
  }
}

const args = parseArgs(process.argv.slice(2));
if (args.child) {
  await child(args);
} else {
  const table = new Table();
  await calls(args, table);
  await uploads(args, table);
  const undiciDir = resolve(process.env.UNDICI_DIR ?? join(root, 'target/bench-node'));
  const undiciVersion = JSON.parse(readFileSync(join(undiciDir, 'node_modules/undici/package.json'), 'utf8')).version;
  table.print(`Node ${process.version}: zkit vs fetch, undici ${undiciVersion} (time ratio zkit/peer; lower is better; met: the goal is met)`);
}
