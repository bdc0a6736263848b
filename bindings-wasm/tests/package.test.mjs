// The package as npm ships it: its manifest and entry points, its declarations, and the ES-module to
// CommonJS transformation assemble.mjs applies to the JavaScript layer.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';

import { FILES, packageJson, toCommonJS } from '../assemble.mjs';
import { camelCase, iterName } from '../generate.mjs';
import { contractOperations } from './support.mjs';

const require = createRequire(import.meta.url);
const PACKAGE = dirname(require.resolve('zkit'));
const manifest = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8'));

/** Evaluates CommonJS `source` with `modules` as what it may require. */
function evaluate(source, modules = {}) {
  const module = { exports: {} };
  new Function('module', 'exports', 'require', source)(module, module.exports, (name) => modules[name]);
  return module.exports;
}

test('toCommonJS: imports, exported declarations, and nothing else', () => {
  const source = [
    "import { helper, other as renamed } from './helper.mjs';",
    '',
    'export class Thing {}',
    'export function make() { return helper(renamed); }',
    'export async function later() {}',
    'export const VALUE = 1;',
    'const hidden = 2;',
    '// export in a comment stays as it is',
  ].join('\n');
  const out = toCommonJS(source);
  assert.ok(out.startsWith("'use strict';\n"));
  assert.ok(out.includes("const { helper, other: renamed } = require('./helper.cjs');"));
  assert.ok(out.trimEnd().endsWith('module.exports = { Thing, make, later, VALUE };'));
  const exports = evaluate(out, { './helper.cjs': { helper: (x) => x + 1, other: 41 } });
  assert.equal(exports.make(), 42);
  assert.equal(exports.VALUE, 1);
  assert.equal(typeof exports.Thing, 'function');
  assert.equal(exports.hidden, undefined);

  for (const refused of [
    "import x from './x.mjs';",
    "import * as x from './x.mjs';",
    "import { x } from 'node:fs';",
    'export default 1;',
    'export { a, b };',
    "export * from './x.mjs';",
    'const url = import.meta.url;',
    "const lazy = import('./x.mjs');",
  ]) {
    assert.throws(() => toCommonJS(refused), /toCommonJS/, refused);
  }
});

test('the CommonJS copies of the layer are the transformation of the ES modules', () => {
  for (const module of ['zkit', 'clients']) {
    const esm = readFileSync(join(PACKAGE, `${module}.mjs`), 'utf8');
    assert.equal(readFileSync(join(PACKAGE, `${module}.cjs`), 'utf8'), toCommonJS(esm, `${module}.mjs`));
  }
});

test('the manifest: name, entry points for require, import and browsers, files', () => {
  assert.equal(manifest.name, 'zkit');
  // The one version of every zkit artifact: the workspace's.
  const cargo = readFileSync(new URL('../../Cargo.toml', import.meta.url), 'utf8');
  assert.equal(manifest.version, cargo.match(/^version = "([^"]+)"$/m)[1]);
  assert.deepEqual(manifest.engines, { node: '>=18' });
  const root = manifest.exports['.'];
  // Node's require and import, browsers, and everything else (bundlers, workers), each with its own
  // declarations in its own module format.
  assert.deepEqual(Object.keys(root), ['node', 'browser', 'default']);
  assert.deepEqual(root.node, {
    import: { types: './index.d.mts', default: './index.mjs' },
    require: { types: './index.d.ts', default: './index.cjs' },
  });
  assert.deepEqual(root.browser, { types: './index.d.mts', default: './browser.mjs' });
  assert.deepEqual(root.default, root.browser);
  // Conditions match in order: in every object, types first and default last.
  const walk = (conditions) => {
    if (typeof conditions !== 'object') return;
    const keys = Object.keys(conditions);
    if (keys.includes('types')) assert.equal(keys[0], 'types', JSON.stringify(conditions));
    if (keys.includes('default')) assert.equal(keys.at(-1), 'default', JSON.stringify(conditions));
    Object.values(conditions).forEach(walk);
  };
  walk(root);
  assert.deepEqual(manifest.files, FILES);
  assert.deepEqual(manifest, packageJson(manifest.version));
  for (const file of FILES) assert.ok(existsSync(join(PACKAGE, file)), file);
  assert.ok(!FILES.some((file) => file.endsWith('.d.ts') && file.includes('zkit_wasm')), 'the native module\'s declarations are not public');
  assert.ok(!FILES.includes('node/zkit_wasm_bg.wasm'), 'one WebAssembly module serves both glues');
  assert.match(readFileSync(join(PACKAGE, 'node', 'zkit_wasm.js'), 'utf8'), /`\$\{__dirname\}\/\.\.\/web\/zkit_wasm_bg\.wasm`/);
  assert.equal(JSON.parse(readFileSync(join(PACKAGE, 'web', 'package.json'), 'utf8')).type, 'module');
});

test('the declarations: no any, the same for require and import, every export declared', async () => {
  const dts = readFileSync(join(PACKAGE, 'index.d.ts'), 'utf8');
  // import's declarations are require's (tsc checks typed_example_esm.mts against them).
  assert.match(readFileSync(join(PACKAGE, 'index.d.mts'), 'utf8'), /^export \* from '\.\/index\.js';$/m);
  const code = dts.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  assert.doesNotMatch(code, /\bany\b/);
  const zkit = await import('zkit');
  for (const name of Object.keys(zkit)) {
    assert.match(dts, new RegExp(`^export declare (abstract )?(class|function) ${name}\\b`, 'm'), name);
  }
  for (const api of [zkit.Zerokie, zkit.Zenifra, zkit.Zenovay, zkit.Zyra]) {
    for (const { operationId: name, 'x-zkit-paged': paged } of contractOperations(api.name.toLowerCase())) {
      assert.match(dts, new RegExp(`^  ${camelCase(name)}\\(`, 'm'), name);
      const iter = iterName(name);
      assert.equal(typeof api.prototype[iter], paged ? 'function' : 'undefined', iter);
      if (paged) assert.match(dts, new RegExp(`^  ${iter}\\(`, 'm'), iter);
    }
  }
});

test('the browser entry loads the web glue and the ES-module layer', () => {
  const browser = readFileSync(join(PACKAGE, 'browser.mjs'), 'utf8');
  assert.match(browser, /^import init, \* as native from '\.\/web\/zkit_wasm\.js';$/m);
  assert.match(browser, /^import \{ createZkit \} from '\.\/zkit\.mjs';$/m);
  assert.match(browser, /^await init\(\);$/m);
  const node = readFileSync(join(PACKAGE, 'index.mjs'), 'utf8');
  const names = (text) => text.match(/export const \{([^}]*)\}/)[1].split(',').map((s) => s.trim()).filter(Boolean);
  assert.deepEqual(names(browser), names(node), 'browsers and Node export the same names');
});
