#!/usr/bin/env node
// The browser check: examples/browser/ (a page using the package's browser entry) in headless
// Chromium, driven by playwright-core, against a sandbox on another origin (CORS). It asserts what the
// page shows and that its requests really came from the page, and saves a screenshot.
//
//   node bindings-wasm/tests/browser.check.mjs [--package DIR] [--screenshot FILE]
//
// DIR is the package to serve (default: bindings-wasm/node_modules/zkit, where scripts/test-npm
// unpacks the tarball; else bindings-wasm/pkg). Needs /usr/bin/chromium (apt-get install chromium) and
// playwright-core in target/npm-tools (scripts/build-npm installs it). Everything listens on 127.0.0.1.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, sep } from 'node:path';

import { REPO, Sandbox } from './support.mjs';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
};

function option(name, fallback) {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1] : fallback;
}

const installed = join(REPO, 'bindings-wasm', 'node_modules', 'zkit');
const packageDir = realpathSync(option('--package', existsSync(join(installed, 'package.json')) ? installed : join(REPO, 'bindings-wasm', 'pkg')));
const screenshot = option('--screenshot', join(REPO, 'target', 'browser-check.png'));

/** A static server on 127.0.0.1: the page's folder and the package, at the paths they have in the repository. */
function serve() {
  const roots = {
    '/examples/browser/': join(REPO, 'examples', 'browser'),
    '/bindings-wasm/pkg/': packageDir,
  };
  const served = [];
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url, 'http://127.0.0.1').pathname);
    const prefix = Object.keys(roots).find((p) => path.startsWith(p));
    let file = prefix && normalize(join(roots[prefix], path.slice(prefix.length) || 'index.html'));
    if (file && existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!file || !file.startsWith(roots[prefix] + sep) || !existsSync(file)) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    served.push(path);
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    response.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, served, port: server.address().port })));
}

async function main() {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
  const tools = createRequire(join(REPO, 'target', 'npm-tools', 'package.json'));
  const { chromium } = tools('playwright-core');

  const sandbox = await Sandbox.start();
  const { server, served, port } = await serve();
  const profile = mkdtempSync(join(tmpdir(), 'zkit-chromium-'));
  let context;
  try {
    await sandbox.reset();
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 900, height: 760 } });
    const page = context.pages()[0] ?? (await context.newPage());
    const problems = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      // The browser logs each API answer of 404 as a failed load; the page expects two of them.
      const expected404 = message.text().includes('status of 404') && message.location().url.startsWith(sandbox.url);
      if (['error', 'warning'].includes(message.type()) && !expected404) problems.push(`console ${message.type()}: ${message.text()}`);
    });
    // Only the page's own server and the sandbox may be reached.
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url());
      return url.hostname === '127.0.0.1' ? route.continue() : route.abort();
    });

    const origin = `http://127.0.0.1:${port}`;
    const url = `${origin}/examples/browser/index.html?sandbox=${encodeURIComponent(sandbox.url)}`;
    await page.goto(url);
    await page.waitForSelector('#status[data-state="passed"], #status[data-state="failed"]', { timeout: 30_000 });
    mkdirSync(dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });

    const statusText = await page.textContent('#status');
    const steps = await page.$$eval('#steps li', (items) => items.map((item) => `${item.className}: ${item.textContent}`));
    console.log(steps.map((line) => `  ${line}`).join('\n'));
    assert.equal(await page.getAttribute('#status', 'data-state'), 'passed', `${statusText}\n${problems.join('\n')}`);
    assert.equal(statusText, `all ${steps.length} steps passed`);
    assert.equal(steps.length, 12);
    assert.ok(steps.every((line) => line.startsWith('ok: ')), steps.join('\n'));
    const text = steps.join('\n');
    assert.match(text, /client: Zerokie\(baseUrl="http:\/\/127\.0\.0\.1:\d+\/zerokie", apiKey="zrk_…ffee"\)/);
    assert.match(text, /create a static app: browser-site \(static\)/);
    assert.match(text, /deploy the site in one call: deploy d-\S+, 2 files, 82 bytes, \d+ events/);
    assert.match(text, /deploy again: 0 uploaded, 2 unchanged/);
    assert.match(text, /list the files: assets\/site\.css, index\.html/);
    assert.match(text, /response facts: status 200, request id req_/);
    assert.match(text, /refused before sending: InvalidInputError on domain/);
    assert.match(text, /aborted: AbortError/);
    assert.match(text, /clean up: NotFoundError \(404\): app not found/);
    assert.match(text, /walk the Zyra fleet: \d{3} devices in 3 pages/);
    assert.match(text, /an invoice as PDF bytes: .+: %PDF-, \d+ bytes/);
    assert.deepEqual(await page.$$eval('#files tbody tr', (rows) => rows.map((row) => row.textContent)), ['assets/site.css18', 'index.html64']);
    assert.deepEqual(problems, []);

    // The package came from the server, wasm and all, and the requests crossed origins from the page.
    assert.ok(served.includes('/bindings-wasm/pkg/browser.mjs') && served.includes('/bindings-wasm/pkg/web/zkit_wasm_bg.wasm'), served.join(' '));
    const journal = await sandbox.journal();
    assert.ok(journal.length >= 12, `${journal.length} requests`);
    assert.ok(journal.every((entry) => entry.headers.origin === origin), 'every request carries the page\'s origin');
    for (const secret of ['0c0ffee0c0ffee0c0ffee0c', 'sandboxada0c0ffee']) {
      assert.ok(!JSON.stringify(journal).includes(secret), 'a key shows in the journal');
    }
    console.log(`browser check passed: ${steps.length} steps in ${await context.browser()?.version?.() ?? 'Chromium'}; screenshot ${screenshot}`);
  } finally {
    await context?.close();
    server.close();
    await sandbox.stop();
    rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
