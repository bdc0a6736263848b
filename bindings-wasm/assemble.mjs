#!/usr/bin/env node
// Assembles the npm package `zkit` in <pkgdir> around the native modules scripts/build-npm put there
// (node/zkit_wasm.js: CommonJS, `--target nodejs`; web/zkit_wasm.js: ES module, `--target web`):
//
//   zkit.mjs, clients.mjs,    the JavaScript layer (js/zkit.mjs), and the API clients and error
//   errors.mjs                classes generated here from the native module's schemas
//                             (generate.mjs), as ES modules
//   *.cjs                     their CommonJS copies (toCommonJS below)
//   index.cjs                 Node, require('zkit'): loads node/ and zkit.cjs
//   index.mjs                 Node, import 'zkit': re-exports index.cjs (one instance for both)
//   browser.mjs               browsers and bundlers: loads web/ (top-level await) and zkit.mjs
//   index.d.ts, index.d.mts   the TypeScript declarations (index.d.mts, for import, re-exports index.d.ts)
//   package.json, README.md, LICENSE-MIT, LICENSE-APACHE (the repository's)
//
// The two glues load the same WebAssembly module: when the two .wasm files are the same bytes, the
// package ships web/zkit_wasm_bg.wasm only and the Node glue reads that one.
//
//   node bindings-wasm/assemble.mjs bindings-wasm/pkg

import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { generate, loadDocuments } from './generate.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = dirname(HERE);

// Every file the package ships; `npm pack` takes these and nothing else (wasm-bindgen's own .d.ts
// files describe the native module, which is not public).
export const FILES = [
  'index.cjs',
  'index.mjs',
  'browser.mjs',
  'zkit.mjs',
  'zkit.cjs',
  'clients.mjs',
  'clients.cjs',
  'errors.mjs',
  'errors.cjs',
  'index.d.ts',
  'index.d.mts',
  'node/zkit_wasm.js',
  'web/zkit_wasm.js',
  'web/zkit_wasm_bg.wasm',
  'web/package.json',
  'README.md',
  'LICENSE-MIT',
  'LICENSE-APACHE',
];

/**
 * The CommonJS copy of one of the package's ES modules. The modules are written for this: their only
 * module syntax is `import { a, b } from './x.mjs';` lines and `export` in front of a declaration
 * (`export class`, `export function`, `export const`); anything else is refused rather than guessed.
 */
export function toCommonJS(source, name = 'module') {
  const exported = [];
  const out = source.split('\n').map((line, index) => {
    const imported = line.match(/^import \{([^}]*)\} from '(\.\/[\w.-]+)\.mjs';$/);
    if (imported) {
      const names = imported[1]
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
        .map((item) => item.replace(/^(\w+)\s+as\s+(\w+)$/, '$1: $2'));
      return `const { ${names.join(', ')} } = require('${imported[2]}.cjs');`;
    }
    const declaration = line.match(/^export ((?:async )?function\*? ?|class |const |let )(\w+)/);
    if (declaration) {
      exported.push(declaration[2]);
      return line.slice('export '.length);
    }
    if (/^\s*(import|export)\b/.test(line)) {
      throw new Error(`toCommonJS: ${name}:${index + 1}: unsupported module syntax: ${line.trim()}`);
    }
    return line;
  });
  if (/\bimport\.meta\b|\bimport\s*\(/.test(source)) {
    throw new Error(`toCommonJS: ${name}: import.meta and import() have no CommonJS equivalent here`);
  }
  return `'use strict';\n${out.join('\n').trimEnd()}\n\nmodule.exports = { ${exported.join(', ')} };\n`;
}

/** The package's version: bindings-wasm/Cargo.toml's, or the workspace's, or 0.1.0. */
export function packageVersion() {
  const own = readFileSync(join(HERE, 'Cargo.toml'), 'utf8').match(/^version\s*=\s*"([^"]+)"/m);
  if (own) return own[1];
  const workspace = readFileSync(join(REPO, 'Cargo.toml'), 'utf8');
  const section = workspace.split(/^\[workspace\.package\]\s*$/m)[1]?.split(/^\[/m)[0] ?? '';
  return section.match(/^version\s*=\s*"([^"]+)"/m)?.[1] ?? '0.1.0';
}

export function packageJson(version) {
  return {
    name: 'zkit',
    version,
    description:
      'Typed, retrying, rate-limit-aware clients for the Zerokie, Zenifra, Zenovay and Zyra APIs, on the zkit Rust core compiled to WebAssembly: Node 18+ and browsers.',
    license: 'MIT OR Apache-2.0',
    homepage: 'https://github.com/zkit-sdk/zkit/tree/main/bindings-wasm#readme',
    bugs: 'https://github.com/zkit-sdk/zkit/issues',
    repository: { type: 'git', url: 'git+https://github.com/zkit-sdk/zkit.git', directory: 'bindings-wasm' },
    keywords: ['zerokie', 'zenifra', 'zenovay', 'zyra', 'api', 'client', 'sdk', 'webassembly'],
    type: 'commonjs',
    main: './index.cjs',
    module: './browser.mjs',
    types: './index.d.ts',
    exports: {
      // Node gets index.cjs for require and index.mjs (the same instance) for import; browsers, workers
      // and bundlers get the ES module that fetches the .wasm. Each entry names its own declarations,
      // in its own module format (publint and attw check this in scripts/test-npm).
      '.': {
        node: {
          import: { types: './index.d.mts', default: './index.mjs' },
          require: { types: './index.d.ts', default: './index.cjs' },
        },
        browser: { types: './index.d.mts', default: './browser.mjs' },
        default: { types: './index.d.mts', default: './browser.mjs' },
      },
      './package.json': './package.json',
    },
    files: FILES,
    engines: { node: '>=18' },
    sideEffects: false,
  };
}

function entries(names) {
  const list = names.join(',\n  ');
  const indexCjs = `'use strict';
// zkit for Node, loaded with require(): the core as WebAssembly (compiled synchronously here), the
// shared JavaScript layer and the API clients. index.mjs re-exports this module, so require('zkit')
// and import 'zkit' share one instance and one set of classes.
const { createHash, randomUUID } = require('node:crypto');
const fs = require('node:fs');
const nodePath = require('node:path');
const http = require('node:http');
const https = require('node:https');
const net = require('node:net');
const tls = require('node:tls');
const zlib = require('node:zlib');
const native = require('./node/zkit_wasm.js');
const { createZkit } = require('./zkit.cjs');

// The core sends through Node's own http module in Node (see the core's HostTransport): keep-alive
// agents shared by every client without network settings, and per client with them (at most 64
// connections to a host, as a browser keeps a few: 1,000 calls at once reuse them rather than open
// 1,000), file bodies piped from disk with backpressure, and gzip, deflate and brotli answers decoded
// as they arrive.
const DECODERS = { gzip: zlib.createGunzip, 'x-gzip': zlib.createGunzip, deflate: zlib.createInflate, br: zlib.createBrotliDecompress };

/** HTTPS_PROXY, HTTP_PROXY and NO_PROXY (or their lowercase names), read once, when first needed. */
let proxyEnv;
function readProxyEnv() {
  const env = (name) => process.env[name] || process.env[name.toLowerCase()] || undefined;
  const noProxy = (env('NO_PROXY') || '').split(',').map((e) => e.trim().toLowerCase()).filter(Boolean);
  return { 'https:': env('HTTPS_PROXY'), 'http:': env('HTTP_PROXY'), noProxy };
}

/** The proxy the environment names for url, unless NO_PROXY names its host. */
function envProxy(url) {
  proxyEnv ??= readProxyEnv();
  const chosen = proxyEnv[url.protocol];
  if (!chosen) return undefined;
  const host = url.hostname.replace(/^\\[|\\]$/g, '').toLowerCase();
  for (const entry of proxyEnv.noProxy) {
    const name = entry.replace(/:\\d+$/, '').replace(/^\\*?\\./, '.');
    if (entry === '*' || host === name || (name.startsWith('.') && (host.endsWith(name) || host === name.slice(1)))) return undefined;
  }
  return new URL(chosen);
}

/** The credentials of a proxy URL as a Proxy-Authorization value, if it has any. */
function proxyAuthorization(proxy) {
  if (!proxy.username) return undefined;
  const user = decodeURIComponent(proxy.username) + ':' + decodeURIComponent(proxy.password);
  return 'Basic ' + Buffer.from(user).toString('base64');
}

/** An https agent whose connections go through proxy with CONNECT, then TLS to the target. */
class TunnelAgent extends https.Agent {
  constructor(proxy, options) {
    super(options);
    this.proxy = proxy;
  }

  createConnection(options, callback) {
    const target = options.host + ':' + options.port;
    const headers = { host: target };
    const authorization = proxyAuthorization(this.proxy);
    if (authorization) headers['proxy-authorization'] = authorization;
    const client = this.proxy.protocol === 'https:' ? https : http;
    client
      .request({ host: this.proxy.hostname, port: this.proxy.port || (this.proxy.protocol === 'https:' ? 443 : 80), method: 'CONNECT', path: target, headers })
      .on('connect', (response, socket) => {
        if (response.statusCode !== 200) {
          socket.destroy();
          return callback(Object.assign(new Error('the proxy refused CONNECT ' + target + ': ' + response.statusCode), { code: 'ECONNREFUSED' }));
        }
        callback(null, tls.connect({ ...options, socket, servername: net.isIP(options.host) ? undefined : options.host }));
      })
      .on('error', (error) => callback(Object.assign(error, { code: error.code || 'ECONNREFUSED' })))
      .end();
  }
}

// The routes of each client's network settings ({proxy, ca}, one object per client, which the core
// passes with every request), and of clients without any: per origin, the agent and the proxy a plain
// request names, worked out once.
const ROUTES = new WeakMap();
const NO_SETTINGS = {};

/** The agent for a request to url under network, and the proxy to address, if any. */
function route(url, network = NO_SETTINGS) {
  let routes = ROUTES.get(network);
  if (routes === undefined) {
    routes = { byOrigin: new Map(), agents: new Map() };
    ROUTES.set(network, routes);
  }
  let found = routes.byOrigin.get(url.origin);
  if (found === undefined) {
    const proxy = network.proxy ? new URL(network.proxy) : envProxy(url);
    const key = url.protocol + ' ' + (proxy ? proxy.href : '');
    let agent = routes.agents.get(key);
    if (agent === undefined) {
      const options = { keepAlive: true, maxSockets: 64 };
      // Extra roots are trusted beside Node's own, never instead of them.
      if (network.ca) options.ca = [...tls.rootCertificates, network.ca];
      agent = url.protocol === 'https:' ? (proxy ? new TunnelAgent(proxy, options) : new https.Agent(options)) : new http.Agent(options);
      routes.agents.set(key, agent);
    }
    found = { agent, forward: url.protocol === 'http:' ? proxy : undefined };
    routes.byOrigin.set(url.origin, found);
  }
  return found;
}

// Errors that mean no byte of the request left this machine, so any call may be retried.
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function fileSize(path) {
  const stat = fs.statSync(path);
  if (!stat.isFile()) throw new Error('not a file');
  return stat.size;
}

/** The SHA-256 of the file at path, in lowercase hex, read in chunks. */
function sha256File(path) {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    fs.createReadStream(path, { highWaterMark: 256 * 1024 })
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/**
 * The files under the folder root for a deploy, as {path, file}: forward-slash site paths, in name
 * order. Symbolic links are followed while they stay inside the folder; one that leads outside
 * throws, and a folder met twice (a link loop) is walked once. The core applies the ignore rules.
 */
function siteFolder(root) {
  let top;
  try {
    top = fs.realpathSync(root);
  } catch (error) {
    throw new Error(root + ': ' + error.message);
  }
  if (!fs.statSync(top).isDirectory()) throw new Error(root + ' is not a folder');
  const files = [];
  const seen = new Set();
  const walk = (folder, prefix) => {
    seen.add(fs.realpathSync(folder));
    const names = fs.readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of names) {
      const full = nodePath.join(folder, entry.name);
      const path = prefix + entry.name;
      let folderHere = entry.isDirectory();
      if (entry.isSymbolicLink()) {
        const target = fs.realpathSync(full);
        if (target !== top && !target.startsWith(top + nodePath.sep)) {
          throw new Error(path + ' is a symbolic link that leads outside the folder');
        }
        folderHere = fs.statSync(target).isDirectory();
        if (folderHere && seen.has(target)) continue;
      }
      if (folderHere) walk(full, path + '/');
      else files.push({ path, file: full });
    }
  };
  walk(top, '');
  return files;
}

/**
 * Sends one request under network ({proxy, ca}: the client's settings); resolves to {status,
 * headers: [name, value, ...], body}, or rejects with sent and fileChanged set.
 */
function send(method, url, headers, body, signal, network) {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const file = { changed: false };
    const fail = (error, sent) => reject(Object.assign(error, { sent, fileChanged: file.changed }));
    const client = target.protocol === 'https:' ? https : http;
    const { agent, forward } = route(target, network);
    const sentHeaders = { 'accept-encoding': 'gzip, deflate, br', ...headers };
    let options = { method, headers: sentHeaders, agent, signal };
    if (forward) {
      // A plain-HTTP request through a proxy names its whole URL to the proxy.
      const authorization = proxyAuthorization(forward);
      if (authorization) sentHeaders['proxy-authorization'] = authorization;
      sentHeaders.host = target.host;
      options = { ...options, host: forward.hostname, port: forward.port || 80, path: target.href };
    }
    const onResponse = (response) => {
      const chunks = [];
      let size = 0;
      let raw = response.rawHeaders;
      let stream = response;
      const encoding = String(response.headers['content-encoding'] || '').trim().toLowerCase();
      if (DECODERS[encoding]) {
        stream = response.pipe(DECODERS[encoding]());
        raw = dropPairs(response.rawHeaders, /^content-(encoding|length)$/i);
      }
      stream.on('data', (chunk) => {
        chunks.push(chunk);
        size += chunk.length;
      });
      stream.on('end', () => {
        const whole = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
        resolve({ status: response.statusCode, headers: raw, body: whole });
      });
      stream.on('error', (error) => fail(error, true));
      if (stream !== response) response.on('error', (error) => fail(error, true));
    };
    const request = forward ? http.request(options, onResponse) : client.request(target, options, onResponse);
    request.on('error', (error) => fail(error, !NOT_SENT.has(error.code)));
    if (body instanceof Uint8Array) request.end(body);
    else if (body && typeof body.path === 'string') pipeFile(body.path, body.length, request, file);
    else request.end();
  });
}

/** rawHeaders without the pairs whose name matches pattern. */
function dropPairs(raw, pattern) {
  const kept = [];
  for (let i = 0; i + 1 < raw.length; i += 2) if (!pattern.test(raw[i])) kept.push(raw[i], raw[i + 1]);
  return kept;
}

/** Pipes the first length bytes of the file at path into request; a file of another length destroys it. */
function pipeFile(path, length, request, file) {
  if (length === 0) return void request.end();
  let sent = 0;
  const stream = fs.createReadStream(path, { end: length - 1, highWaterMark: 256 * 1024 });
  stream.on('data', (chunk) => (sent += chunk.length));
  stream.on('error', (error) => request.destroy(error));
  stream.on('end', () => {
    let size = -1;
    try {
      size = fs.statSync(path).size;
    } catch {}
    if (sent === length && size === length) return void request.end();
    file.changed = true;
    request.destroy(new Error(path + ' changed size while it was uploaded (' + length + ' bytes when the call began)'));
  });
  stream.pipe(request, { end: false });
}

module.exports = createZkit(native, {
  env: (name) => process.env[name],
  randomUUID,
  http: { fileSize, sha256File, send },
  readText: (path) => fs.readFileSync(path, 'utf8'),
  siteFolder,
  warn: (message, code) => process.emitWarning(message, { type: 'ZkitWarning', code }),
  // A panic in an asynchronous step of the core surfaces as an uncaught WebAssembly.RuntimeError;
  // the monitor only watches (the process's own handlers decide what happens next).
  onUncaught: (listener) => process.on('uncaughtExceptionMonitor', listener),
  report: (line) => process.stderr.write(\`\${line}\\n\`),
});
`;
  const indexMjs = `// zkit for Node, loaded with import: the module require('zkit') loads (index.cjs), so that both
// share one WebAssembly instance and one set of classes.
import zkit from './index.cjs';

export const {
  ${list},
} = zkit;
`;
  const browserMjs = `// zkit for browsers, workers and bundlers: the core as WebAssembly, fetched from next to its glue
// (web/zkit_wasm_bg.wasm) and compiled before this module finishes loading (top-level await).
import init, * as native from './web/zkit_wasm.js';
import { createZkit } from './zkit.mjs';

await init();

const zkit = createZkit(native, {
  // A panic in an asynchronous step of the core surfaces as an uncaught WebAssembly.RuntimeError.
  onUncaught(listener) {
    globalThis.addEventListener?.('error', (event) => listener(event.error));
    globalThis.addEventListener?.('unhandledrejection', (event) => listener(event.reason));
  },
  report: (line) => console.error(line),
  warn: (message) => console.warn(message),
});

export const {
  ${list},
} = zkit;
`;
  return { 'index.cjs': indexCjs, 'index.mjs': indexMjs, 'browser.mjs': browserMjs };
}

/** Points the Node glue at web/zkit_wasm_bg.wasm, after checking both files are the same module. */
export function shareWasm(pkg) {
  const digest = (file) => createHash('sha256').update(readFileSync(join(pkg, file))).digest('hex');
  const glue = join(pkg, 'node', 'zkit_wasm.js');
  const text = readFileSync(glue, 'utf8');
  const own = '`${__dirname}/zkit_wasm_bg.wasm`';
  const shared = '`${__dirname}/../web/zkit_wasm_bg.wasm`';
  if (text.includes(shared)) return; // assembled before
  if (digest('node/zkit_wasm_bg.wasm') !== digest('web/zkit_wasm_bg.wasm')) {
    throw new Error('assemble.mjs: node/ and web/ hold different WebAssembly modules; ship both (add node/zkit_wasm_bg.wasm to FILES)');
  }
  if (text.split(own).length !== 2) {
    throw new Error(`assemble.mjs: the Node glue no longer names its module as ${own}; update shareWasm`);
  }
  writeFileSync(glue, text.replace(own, shared));
}

export function assemble(pkg) {
  for (const native of ['node/zkit_wasm.js', 'web/zkit_wasm.js']) {
    if (!existsSync(join(pkg, native))) throw new Error(`assemble.mjs: ${join(pkg, native)} is missing; run scripts/build-npm`);
  }
  // The typed surface, generated from the contracts.
  const generated = generate(loadDocuments());
  writeFileSync(join(pkg, 'clients.mjs'), generated['clients.mjs']);
  writeFileSync(join(pkg, 'errors.mjs'), generated['errors.mjs']);
  writeFileSync(join(pkg, 'index.d.ts'), generated['index.d.ts']);
  // import 'zkit' gets the same classes as require('zkit') (index.mjs re-exports index.cjs): so do
  // its declarations, without a second copy in the tarball.
  writeFileSync(join(pkg, 'index.d.mts'), "// The declarations of import 'zkit': those of require('zkit').\nexport * from './index.js';\n");
  copyFileSync(join(HERE, 'js', 'zkit.mjs'), join(pkg, 'zkit.mjs'));
  for (const module of ['zkit', 'clients', 'errors']) {
    const source = readFileSync(join(pkg, `${module}.mjs`), 'utf8');
    writeFileSync(join(pkg, `${module}.cjs`), toCommonJS(source, `${module}.mjs`));
  }
  shareWasm(pkg);
  // The web glue is an ES module with a .js name: say so to tools that read this package in Node.
  writeFileSync(join(pkg, 'web', 'package.json'), `${JSON.stringify({ type: 'module' }, null, 2)}\n`);

  // The ES-module entries list the exports by name; they are those of the CommonJS entry.
  const { 'index.cjs': indexCjs } = entries([]);
  writeFileSync(join(pkg, 'index.cjs'), indexCjs);
  const names = Object.keys(createRequire(import.meta.url)(resolve(pkg, 'index.cjs')));
  for (const [file, text] of Object.entries(entries(names))) writeFileSync(join(pkg, file), text);

  writeFileSync(join(pkg, 'package.json'), `${JSON.stringify(packageJson(packageVersion()), null, 2)}\n`);
  copyFileSync(join(HERE, 'README.md'), join(pkg, 'README.md'));
  for (const license of ['LICENSE-MIT', 'LICENSE-APACHE']) copyFileSync(join(REPO, license), join(pkg, license));
  for (const file of FILES) {
    if (!existsSync(join(pkg, file))) throw new Error(`assemble.mjs: ${file} was not written`);
  }
  return names;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const pkg = process.argv[2];
  if (!pkg) {
    console.error('usage: node bindings-wasm/assemble.mjs <pkgdir>');
    process.exit(2);
  }
  try {
    const names = assemble(pkg);
    console.log(`assembled the zkit package in ${pkg}: ${names.length} exports`);
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
