#!/usr/bin/env node
// Writes zkit's typed JavaScript surface from the APIs' contracts:
//
//   js/clients.mjs   one class per API (`Zerokie`, …) with one method per operation (camelCase:
//                    createApp, listApps, …), each a one-line call into the shared ZkitClient, and
//                    for each paged list (`"paged": true`) an `iter<Items>` method (iterDevices)
//                    returning a lazy `Pages` walk
//   js/index.d.ts    the TypeScript declarations of the whole package: js/zkit.d.ts (settings,
//                    errors, the client base, `Pages`), then per API an interface per output type
//                    (readonly fields, unknown fields reachable by an index signature; binary
//                    fields as Uint8Array), a `<Name>Params` interface per input type, and the
//                    client class
//
//   node generate.mjs                    # write both files
//   node generate.mjs --check            # exit 1 if the files on disk are not what would be written
//   node generate.mjs --schema-dir DIR   # read the contracts from there (default ../schema)
//   node generate.mjs --out-dir DIR      # write there instead of js/ (assemble.mjs writes the package)
//
// The contracts are the committed OpenAPI documents schema/<api>.openapi.json (written from the Rust
// core's operation tables by scripts/generate-contracts): each operation's `x-zkit-input` and
// `x-zkit-output` name the types the clients expose, and `x-zkit.login` says whether clients may log
// in with an email and password. Only Node is needed. The Python twin is bindings-python/generate.py.

import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const SOURCES = join(HERE, 'js');
const SCHEMA_DIR = join(HERE, '..', 'schema');

// The APIs whose contracts (schema/<api>.openapi.json) are turned into clients.
const APIS = ['zerokie', 'zenifra', 'zenovay', 'zyra'];

// Members of ZkitClient (and of every object): an operation may not take one of these names.
const CLIENT_MEMBERS = new Set(['constructor', 'withOptions', 'callJson', 'raw', 'close', 'toString', 'withResponse', 'waitUntil', 'waiters', 'deploySite']);

// ---- reading the contracts ---------------------------------------------------------------------

/**
 * A contract's operations, flattened: name, doc, method, zkit's path template, idempotency, rate
 * class, paging, and the input and output types the clients expose (zkit's `x-zkit-*` facts).
 */
export function operationsOf(contract) {
  return Object.entries(contract.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      name: operation.operationId,
      doc: operation.description ?? '',
      method: method.toUpperCase(),
      path: operation['x-zkit-path'] ?? path,
      idempotent: operation['x-zkit-idempotent'],
      rate_class: operation['x-zkit-rate-class'],
      paged: operation['x-zkit-paged'],
      input: operation['x-zkit-input'],
      output: operation['x-zkit-output'],
    })),
  );
}

/**
 * The contract of each API in APIS, in the shape the writers read: `x-zkit`'s facts, the base URL,
 * the schemas as `$defs`, and the operations.
 */
export function loadDocuments({ schemaDir = SCHEMA_DIR } = {}) {
  return APIS.map((api) => {
    const contract = JSON.parse(readFileSync(join(schemaDir, `${api}.openapi.json`), 'utf8'));
    return {
      ...contract['x-zkit'],
      default_base_url: contract.servers[0].url,
      $defs: contract.components.schemas,
      operations: operationsOf(contract),
    };
  });
}

// ---- names and text ----------------------------------------------------------------------------

const q = (text) => JSON.stringify(text);

export function camelCase(name) {
  return name.replace(/_+([a-z0-9])/g, (_, c) => c.toUpperCase());
}

/** The method that walks a paged list: list_devices → iterDevices, other_list → iterOtherList. */
export function iterName(operation) {
  const name = camelCase(operation.replace(/^list_/, ''));
  return `iter${name[0].toUpperCase()}${name.slice(1)}`;
}

function className(api) {
  return api
    .split(/[^0-9A-Za-z]+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}

const IDENTIFIER = /^[A-Za-z_$][0-9A-Za-z_$]*$/;
const key = (name) => (IDENTIFIER.test(name) ? name : q(name));

/**
 * Rust doc text for JavaScript: intra-doc links become their text (a function's name in camelCase,
 * as this package spells it), `None` becomes `null`, and `operation_name` becomes `methodName`.
 */
function plainDoc(text, operations = []) {
  return (text ?? '')
    .replace(/\[`([a-z0-9_]+)`\]\((?!https?:)[^)]*\)/g, (_, name) => `\`${camelCase(name)}\``)
    .replace(/\[([^\]]+)\]\((?!https?:)[^)]*\)/g, '$1')
    .replace(/`None`/g, '`null`')
    .replace(/`([a-z0-9_]+)`/g, (span, name) => (operations.includes(name) ? `\`${camelCase(name)}\`` : span))
    .trim();
}

function wrap(text, width) {
  const words = text.split(/\s+/).filter(Boolean);
  const lines = [];
  let line = '';
  for (const word of words) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** `text` as a JSDoc comment at `indent`, wrapped at 100 columns. */
function jsdoc(text, indent, operations = []) {
  const escaped = plainDoc(text, operations).replace(/\*\//g, '*\\/');
  if (!escaped) return [];
  const lines = [];
  for (const paragraph of escaped.split('\n\n')) {
    if (lines.length) lines.push('');
    lines.push(...wrap(paragraph, 100 - indent.length - 3));
  }
  if (lines.length === 1 && indent.length + lines[0].length + 7 <= 100) return [`${indent}/** ${lines[0]} */`];
  return [`${indent}/**`, ...lines.map((line) => (line ? `${indent} * ${line}` : `${indent} *`)), `${indent} */`];
}

// ---- schemas to TypeScript types -------------------------------------------------------------------

/** The schema without its null alternative, and whether it had one. */
function splitNullable(schema) {
  const kinds = schema.type;
  if (Array.isArray(kinds) && kinds.includes('null')) {
    const rest = kinds.filter((k) => k !== 'null');
    return [{ ...schema, type: rest.length === 1 ? rest[0] : rest }, true];
  }
  for (const combinator of ['anyOf', 'oneOf']) {
    const options = schema[combinator];
    if (Array.isArray(options) && options.some((o) => o.type === 'null' && Object.keys(o).length === 1)) {
      const rest = options.filter((o) => !(o.type === 'null' && Object.keys(o).length === 1));
      const { [combinator]: _, ...base } = schema;
      return [rest.length === 1 ? { ...base, ...rest[0] } : { ...base, [combinator]: rest }, true];
    }
  }
  return [schema, schema.nullable === true];
}

function union(types) {
  const unique = [...new Set(types.flatMap((t) => splitTopLevel(t)))];
  return unique.includes('unknown') ? 'unknown' : unique.join(' | ');
}

/** The members of a union type written as text, split at top-level `|`. */
function splitTopLevel(text) {
  const parts = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if ('({[<'.includes(c)) depth++;
    else if (')}]>'.includes(c)) depth--;
    else if (c === '|' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

class Api {
  constructor(document) {
    this.document = document;
    this.name = className(document.api);
    this.defs = document.$defs ?? {};
    this.operations = document.operations;
    const outputs = this.reachable(this.operations.map((op) => op.output));
    const inputs = this.reachable(this.operations.map((op) => op.input));
    this.models = outputs.objects;
    this.params = inputs.objects;
    // Non-object definitions (string enums, …) become named types, shared by inputs and outputs,
    // unless they lead to an object (whose type differs between inputs and outputs).
    this.aliases = [...new Set([...outputs.others, ...inputs.others])].filter(
      (name) => this.reachable([this.defs[name]]).objects.length === 0,
    );
  }

  ref(schema) {
    const ref = schema?.$ref;
    return typeof ref === 'string' ? ref.slice(ref.lastIndexOf('/') + 1) : null;
  }

  resolve(schema) {
    const name = this.ref(schema);
    return name ? this.defs[name] : schema;
  }

  isObject(name) {
    const definition = this.defs[name];
    // A struct has properties or none at all (`additionalProperties: false`); a map has a value schema.
    return definition.type === 'object' && ('properties' in definition || (definition.additionalProperties ?? false) === false);
  }

  /** The definitions `roots` lead to, objects and others, in the order first met. */
  reachable(roots) {
    const objects = [];
    const others = [];
    const walk = (node) => {
      if (Array.isArray(node)) {
        node.forEach(walk);
      } else if (node !== null && typeof node === 'object') {
        const name = this.ref(node);
        if (name !== null && !objects.includes(name) && !others.includes(name)) {
          (this.isObject(name) ? objects : others).push(name);
          walk(this.defs[name]);
        }
        for (const [k, value] of Object.entries(node)) if (k !== '$ref') walk(value);
      }
    };
    walk(roots);
    return { objects, others };
  }

  /** [wire name, schema, required] of an object's properties: the required ones in the order of
   * "required" (the declaration order), then the others in the order of "properties". */
  fields(definition) {
    const properties = definition.properties ?? {};
    const required = (definition.required ?? []).filter((wire) => wire in properties);
    const others = Object.keys(properties).filter((wire) => !required.includes(wire));
    return [...required.map((w) => [w, properties[w], true]), ...others.map((w) => [w, properties[w], false])];
  }

  inputFields(operation) {
    return this.fields(this.resolve(operation.input));
  }

  /** How an operation takes its input: "none" (no fields), "optional" (all optional) or "required". */
  inputForm(operation) {
    const fields = this.inputFields(operation);
    if (fields.length === 0) return 'none';
    return fields.some(([, , required]) => required) ? 'required' : 'optional';
  }

  /** The TypeScript type of values of `schema`; `side` is "in" for inputs, "out" for results. */
  type(schema, side) {
    const [inner, nullable] = splitNullable(schema);
    const text = this.bareType(inner, side);
    return nullable && text !== 'unknown' && text !== 'null' ? union([text, 'null']) : text;
  }

  bareType(schema, side) {
    const name = this.ref(schema);
    if (name !== null) {
      if (this.isObject(name)) return side === 'out' ? name : `${name}Params`;
      if (this.aliases.includes(name)) return name;
      return this.type(this.defs[name], side);
    }
    for (const combinator of ['anyOf', 'oneOf']) {
      if (Array.isArray(schema[combinator])) return union(schema[combinator].map((o) => this.type(o, side)));
    }
    const kind = schema.type;
    if (Array.isArray(kind)) return union(kind.map((k) => this.bareType({ ...schema, type: k }, side)));
    switch (kind) {
      case 'string':
        if (schema.format === 'binary') return side === 'in' ? 'Uint8Array | ArrayBuffer | Blob | string' : 'Uint8Array';
        if (schema.format === 'path' && side === 'in') return 'string | FileHandle';
        if (Array.isArray(schema.enum)) return union(schema.enum.map(q));
        return 'string';
      case 'integer':
      case 'number':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'null':
        return 'null';
      case 'array': {
        const item = this.type(schema.items ?? {}, side);
        return `readonly ${splitTopLevel(item).length > 1 ? `(${item})` : item}[]`;
      }
      case 'object': {
        const values = schema.additionalProperties;
        const value = values !== null && typeof values === 'object' ? this.type(values, side) : 'unknown';
        return `{ readonly [key: string]: ${value} }`;
      }
      default:
        return 'unknown';
    }
  }

  /** An operation's result type, as its method resolves to it. */
  resultType(operation) {
    const output = operation.output;
    if (output.type === 'null') return 'void';
    const text = this.type(output, 'out');
    return text.startsWith('readonly ') && output.type === 'array' ? text.slice('readonly '.length) : text;
  }

  /** The type of a paged list's items: those of its output's `items` array. */
  itemType(operation) {
    const items = this.resolve(operation.output)?.properties?.items;
    if (items?.type !== 'array') throw new Error(`generate.mjs: paged operation ${operation.name} has no "items" array`);
    return this.type(items.items ?? {}, 'out');
  }

  /**
   * Where an output holds binary fields, which arrive as arrays of byte numbers and are handed out
   * as Uint8Arrays: dotted paths, `*` for each element of an array ("content", "items.*.content").
   */
  binaryPaths(schema, path = [], seen = []) {
    const [inner] = splitNullable(schema);
    const name = this.ref(inner);
    if (name !== null) return seen.includes(name) ? [] : this.binaryPaths(this.defs[name], path, [...seen, name]);
    if (inner.type === 'string' && inner.format === 'binary') return [path.join('.')];
    const options = inner.anyOf ?? inner.oneOf ?? [];
    const nested = Object.entries(inner.properties ?? {}).map(([wire, s]) => this.binaryPaths(s, [...path, wire], seen));
    if (inner.type === 'array') nested.push(this.binaryPaths(inner.items ?? {}, [...path, '*'], seen));
    return [...new Set([...options.flatMap((o) => this.binaryPaths(o, path, seen)), ...nested.flat()])];
  }

  /** The documented values of an open string enum, for docs. */
  knownValues(schema) {
    const [inner] = splitNullable(schema);
    const name = this.ref(inner);
    const target = name ? this.defs[name] : inner;
    return target.type === 'string' && Array.isArray(target.examples) ? target.examples.map(String) : [];
  }

  /** `text` as a JSDoc comment at `indent`, in this API's JavaScript names. */
  doc(text, indent) {
    return jsdoc(text, indent, this.operations.map((operation) => operation.name));
  }

  fieldDoc(schema) {
    let text = plainDoc(schema.description);
    const values = this.knownValues(schema);
    if (values.length) text += `\n\nKnown values: ${values.map(q).join(', ')}; a newer server may send others.`;
    return text;
  }
}

// ---- writing the declarations ----------------------------------------------------------------------

function aliasDeclaration(api, name) {
  const definition = api.defs[name];
  let text;
  if (definition.type === 'string' && Array.isArray(definition.examples)) {
    // An open enum: the documented values for editors, any other string for newer servers.
    text = `${definition.examples.map(q).join(' | ')} | (string & {})`;
  } else {
    text = api.type(definition, 'out');
  }
  const doc = definition.description || `${name}: ${definition.examples ? 'documented values; a newer server may send others' : 'a value of the API'}.`;
  return ['', ...api.doc(doc, ''), `export type ${name} = ${text};`];
}

function interfaceDeclaration(api, name, side) {
  const definition = api.defs[name];
  const typeName = side === 'out' ? name : `${name}Params`;
  const fallback = side === 'out' ? `${name}.` : `The parameters of ${name}.`;
  const out = ['', ...api.doc(definition.description || fallback, ''), `export interface ${typeName} {`];
  for (const [wire, schema, required] of api.fields(definition)) {
    out.push(...api.doc(api.fieldDoc(schema) || `The ${q(wire)} field.`, '  '));
    out.push(`  readonly ${key(wire)}${required ? '' : '?'}: ${api.type(schema, side)};`);
  }
  if (side === 'out') {
    out.push('  /** Fields this version of zkit does not name, as the server sent them. */');
    out.push('  readonly [key: string]: unknown;');
  }
  out.push('}');
  return out;
}

/** A method's declaration: `returns` is its result type, `method` and `options` default to an operation call's. */
function methodSignature(api, operation, returns, { method = camelCase(operation.name), options = 'CallOptions' } = {}) {
  const form = api.inputForm(operation);
  const params = api.ref(operation.input) + 'Params';
  const args =
    form === 'none'
      ? `options?: ${options}`
      : `params${form === 'optional' ? '?' : ''}: ${params}, options?: ${options}`;
  const line = `${method}(${args}): ${returns};`;
  if (line.length <= 108) return [`  ${line}`];
  return [`  ${method}(`, ...args.split(', ').map((arg) => `    ${arg},`), `  ): ${returns};`];
}

const pagedOperations = (api) => api.operations.filter((operation) => operation.paged === true);

/** The doc of a paged list's `iter…` method. */
function iterDoc(operation) {
  const what = (operation.doc || operation.name).split('\n\n')[0].replace(/\.$/, '');
  return `${what}, every page: \`for await\` gives the items, \`.pages()\` the pages. Lazy: nothing is fetched until the walk starts, then one page at a time; \`maxPages\` caps it (default 1000).`;
}

function clientDeclaration(api, baseDeclarations) {
  const document = api.document;
  const prefix = document.env_prefix;
  const login = document.login
    ? `\n\nInstead of a key, an \`email\` and \`password\` (in Node, ${prefix}_EMAIL and ${prefix}_PASSWORD ` +
      'when no key is set): the client logs in on its first call and keeps its token fresh by itself.'
    : '';
  const doc =
    `A client of the ${api.name} API: one method per operation, each returning a Promise.\n\n` +
    `The key comes from \`apiKey\` or, in Node, ${prefix}_API_KEY; the base URL from \`baseUrl\`, ` +
    `${prefix}_BASE_URL or ${document.default_base_url}. Timeouts, retries and pacing are settable ` +
    `here and per call.${login}`;
  const settings = document.settings ?? [];
  const own = settings.length > 0 || document.login;
  const options = own ? `${api.name}Options` : 'ClientOptions';
  const out = [];
  if (own) {
    out.push('', `/** A ${api.name} client's settings: every client's, and ${api.name}'s own. */`);
    out.push(`export interface ${options} extends ClientOptions {`);
    if (document.login) {
      out.push(`  /** The email to log in with, instead of \`apiKey\`; in Node, ${prefix}_EMAIL when no key is given. */`);
      out.push('  readonly email?: string | null;');
      out.push(`  /** The password of \`email\`, never shown; in Node, ${prefix}_PASSWORD when no key is given. */`);
      out.push('  readonly password?: string | null;');
    }
    for (const setting of settings) {
      out.push(`  /** Sent as ${setting.header} on every call; in Node, ${setting.env} when not given. */`);
      out.push(`  readonly ${camelCase(setting.name)}?: string | null;`);
    }
    out.push('}');
  }
  out.push('', ...api.doc(doc, ''), `export declare class ${api.name} extends ZkitClient {`);
  out.push(...api.doc(`A client of the ${api.name} API (see the class).`, '  '), `  constructor(options?: ${options});`);
  if (own) {
    out.push('  /** A new client with this one\'s settings, except those given here. */');
    out.push(`  withOptions(options: ${options}): this;`);
  }
  for (const operation of api.operations) {
    out.push(...api.doc(operation.doc || operation.name, '  '));
    out.push(...methodSignature(api, operation, `Promise<${api.resultType(operation)}>`));
  }
  for (const operation of pagedOperations(api)) {
    const returns = `Pages<${api.resultType(operation)}, ${api.itemType(operation)}>`;
    out.push(...api.doc(iterDoc(operation), '  '));
    out.push(...methodSignature(api, operation, returns, { method: iterName(operation.name), options: 'PageOptions' }));
  }
  out.push('  /** The same methods, each resolving to the result with the facts of its HTTP response. */');
  out.push(`  readonly withResponse: ${api.name}WithResponse;`);
  out.push('}');
  // Methods written by hand beside the generated ones (Zerokie's deploySite) merge into the class.
  const extras = `${api.name}Extras`;
  if (new RegExp(`^export interface ${extras}\\b`, 'm').test(baseDeclarations)) {
    out.push('', `export interface ${api.name} extends ${extras} {}`);
  }
  out.push('', `/** ${api.name}'s methods, each resolving to the result with the facts of its HTTP response. */`);
  out.push(`export interface ${api.name}WithResponse {`);
  for (const operation of api.operations) {
    const result = api.resultType(operation);
    out.push(...api.doc(operation.doc || operation.name, '  '));
    out.push(...methodSignature(api, operation, `Promise<ApiResponse<${result === 'void' ? 'null' : result}>>`));
  }
  out.push('}');
  return out;
}

// ---- writing the JavaScript ------------------------------------------------------------------------

function clientClass(api) {
  const out = api.doc(`A client of the ${api.name} API: one method per operation, each returning a Promise.`, '  ');
  out.push(`  class ${api.name} extends ZkitClient {`);
  for (const operation of api.operations) {
    const method = camelCase(operation.name);
    out.push(...api.doc(operation.doc || operation.name, '    '));
    if (api.inputForm(operation) === 'none') {
      out.push(`    ${method}(options) {`, `      return this[CALL](${q(operation.name)}, undefined, options);`, '    }');
    } else {
      out.push(`    ${method}(params, options) {`, `      return this[CALL](${q(operation.name)}, params, options);`, '    }');
    }
  }
  for (const operation of pagedOperations(api)) {
    out.push(...api.doc(iterDoc(operation), '    '));
    const [params, args] = api.inputForm(operation) === 'none' ? ['undefined', 'options'] : ['params', 'params, options'];
    out.push(`    ${iterName(operation.name)}(${args}) {`, `      return this[PAGES](${q(operation.name)}, ${params}, options);`, '    }');
  }
  out.push('', '    // What the shared ZkitClient needs to know of this API and its operations.');
  out.push('    static [API] = {');
  out.push(`      name: ${q(api.name)},`);
  out.push(`      native: ${q(`Native${api.name}`)},`);
  out.push(`      envPrefix: ${q(api.document.env_prefix)},`);
  const settings = (api.document.settings ?? []).map(
    (setting) => `{ name: ${q(camelCase(setting.name))}, env: ${q(setting.env)} }`,
  );
  out.push(`      settings: [${settings.join(', ')}],`);
  out.push(`      login: ${api.document.login === true},`);
  out.push('      operations: {');
  for (const operation of api.operations) {
    const fields = api.inputFields(operation).map(([wire]) => q(wire));
    const output = operation.output.type === 'null' ? 'void' : 'value';
    let spec = `method: ${q(camelCase(operation.name))}, input: ${q(api.inputForm(operation))}, output: ${q(output)}`;
    if (operation.paged === true) spec += `, iter: ${q(iterName(operation.name))}`;
    const binary = api.binaryPaths(operation.output);
    if (binary.length) spec += `, binary: [${binary.map(q).join(', ')}]`;
    const line = `        ${operation.name}: { ${spec}, fields: [${fields.join(', ')}] },`;
    if (line.length <= 110) {
      out.push(line);
    } else {
      out.push(`        ${operation.name}: {`, `          ${spec},`, `          fields: [${fields.join(', ')}],`, '        },');
    }
  }
  out.push('      },', '    };', '  }');
  return out;
}

// ---- the whole files -------------------------------------------------------------------------------

function checkNames(apis, baseDeclarations) {
  const taken = new Map();
  for (const match of baseDeclarations.matchAll(/^export (?:declare )?(?:abstract )?(?:class|interface|type|function) (\w+)/gm)) {
    taken.set(match[1], 'js/zkit.d.ts');
  }
  const claim = (name, owner) => {
    if (taken.has(name) && taken.get(name) !== owner) {
      throw new Error(`generate.mjs: ${name} is declared by ${taken.get(name)} and by ${owner}: rename one of them`);
    }
    taken.set(name, owner);
  };
  const shapes = new Map();
  for (const api of apis) {
    for (const name of [...api.models, ...api.params, ...api.aliases]) {
      const shape = JSON.stringify(api.defs[name]);
      if (shapes.has(name) && shapes.get(name) !== shape) {
        throw new Error(`generate.mjs: two APIs define ${name} differently: give one of them another name`);
      }
      shapes.set(name, shape);
      claim(name, 'the schemas');
    }
    for (const name of api.params) claim(`${name}Params`, 'the schemas');
    claim(api.name, `the ${api.name} API`);
    claim(`${api.name}WithResponse`, `the ${api.name} API`);
    const methods = new Set();
    for (const operation of api.operations) {
      for (const method of [camelCase(operation.name), ...(operation.paged === true ? [iterName(operation.name)] : [])]) {
        if (CLIENT_MEMBERS.has(method)) throw new Error(`generate.mjs: operation ${operation.name} clashes with ZkitClient.${method}`);
        if (methods.has(method)) throw new Error(`generate.mjs: two methods of ${api.name} are named ${method}`);
        methods.add(method);
      }
    }
  }
}

export function generate(documents, handWritten = readFileSync(join(SOURCES, 'zkit.d.ts'), 'utf8')) {
  const apis = documents.map((document) => new Api(document));
  const kinds = errorKinds(documents);
  const baseDeclarations = errorDeclarations(handWritten, kinds);
  checkNames(apis, baseDeclarations);

  const declarations = [
    '// zkit\'s TypeScript declarations: settings, errors, the client base, and every API\'s types and client.',
    '// Generated by bindings-wasm/generate.mjs from bindings-wasm/js/zkit.d.ts and the APIs\' schemas;',
    '// do not edit by hand.',
    '',
    baseDeclarations.trimEnd(),
  ];
  for (const api of apis) {
    declarations.push('', `// ---- ${api.name} ${'-'.repeat(92 - api.name.length)}`);
    const seen = new Set();
    for (const name of api.aliases) declarations.push(...aliasDeclaration(api, name));
    for (const name of api.models) declarations.push(...interfaceDeclaration(api, name, 'out'));
    for (const name of api.params) {
      if (api.fields(api.defs[name]).length && !seen.has(name)) declarations.push(...interfaceDeclaration(api, name, 'in'));
      seen.add(name);
    }
    declarations.push(...clientDeclaration(api, baseDeclarations));
  }
  const dts = declarations.join('\n') + '\n';
  const code = dts.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  if (/\bany\b/.test(code)) throw new Error('generate.mjs: the declarations must not use `any`');

  const js = [
    "// zkit's per-API client classes: one method per operation, each a call into the shared ZkitClient",
    '// (zkit.mjs). Generated by bindings-wasm/generate.mjs from the APIs\' schemas; do not edit by hand.',
    '',
    '/** The API classes on top of `ZkitClient`; `CALL`, `PAGES` and `API` are its hooks. */',
    'export function defineClients(ZkitClient, { CALL, PAGES, API }) {',
  ];
  js.push(...apis.flatMap((api, index) => [...(index ? [''] : []), ...clientClass(api)]));
  js.push('', `  return { ${apis.map((api) => api.name).join(', ')} };`, '}');
  return { 'clients.mjs': js.join('\n') + '\n', 'errors.mjs': errorsModule(kinds), 'index.d.ts': dts };
}

// ---- errors ------------------------------------------------------------------------------------

// The JavaScript names of the kinds whose class is not simply `<Kind>Error`, as openai-node users know
// them; and the kinds whose class derives from another kind's.
const ERROR_NAMES = { unauthorized: 'AuthenticationError', forbidden: 'PermissionDeniedError', rate_limited: 'RateLimitError' };
const ERROR_PARENTS = { upstream: 'server' };
// Kinds outside the taxonomy that a ZkitError may still carry.
const OTHER_KINDS = ['closed', 'internal'];

const errorClassName = (kind) => ERROR_NAMES[kind] ?? `${kind.replace(/(^|_)([a-z])/g, (_, __, c) => c.toUpperCase())}Error`;

/** The core's error kinds, the same in every document. */
function errorKinds(documents) {
  const kinds = documents[0].error_kinds;
  if (documents.some((document) => JSON.stringify(document.error_kinds) !== JSON.stringify(kinds))) {
    throw new Error('generate.mjs: the APIs\' documents list different error kinds');
  }
  return kinds;
}

/** js/errors.mjs: one subclass of ZkitError per kind, and the map the native errors go through. */
function errorsModule(kinds) {
  const out = [
    "// zkit's error classes: one subclass of ZkitError per kind of the core's taxonomy. Generated by",
    "// bindings-wasm/generate.mjs from the core's error kinds; do not edit by hand.",
    '',
    '/** The classes on top of `ZkitError`, by name (`classes`) and by kind (`byKind`). */',
    'export function defineErrors(ZkitError) {',
  ];
  for (const { name, doc } of kinds) {
    const parent = ERROR_PARENTS[name] ? errorClassName(ERROR_PARENTS[name]) : 'ZkitError';
    out.push(`  /** ${doc} */`, `  class ${errorClassName(name)} extends ${parent} {}`);
  }
  out.push(`  const classes = { ${kinds.map(({ name }) => errorClassName(name)).join(', ')} };`);
  out.push('  const byKind = {', ...kinds.map(({ name }) => `    ${name}: ${errorClassName(name)},`), '  };');
  out.push('  return { classes, byKind };', '}');
  return out.join('\n') + '\n';
}

/** The declarations of the kinds' names and classes, in place of the markers in zkit.d.ts. */
function errorDeclarations(baseDeclarations, kinds) {
  const names = [...kinds.map(({ name }) => name), ...OTHER_KINDS];
  const union = ['/** What went wrong, the same snake_case name in every zkit language. */', 'export type ErrorKind =', ...names.map((name) => `  | ${q(name)}`)];
  union[union.length - 1] += ';';
  const classes = [];
  for (const { name, doc } of kinds) {
    const parent = ERROR_PARENTS[name] ? errorClassName(ERROR_PARENTS[name]) : 'ZkitError';
    const own = [name, ...Object.keys(ERROR_PARENTS).filter((child) => ERROR_PARENTS[child] === name)];
    classes.push(`/** ${doc} */`, `export declare class ${errorClassName(name)} extends ${parent} {`, `  readonly kind: ${own.map(q).join(' | ')};`, '}');
  }
  const markers = {
    "// (generated: ErrorKind, the union of every kind's name, written by generate.mjs from the core's kinds)": union,
    "// (generated: one subclass of ZkitError per kind, written by generate.mjs from the core's kinds)": classes,
  };
  let text = baseDeclarations;
  for (const [marker, lines] of Object.entries(markers)) {
    if (!text.includes(marker)) throw new Error(`generate.mjs: js/zkit.d.ts lacks the marker ${marker}`);
    text = text.replace(marker, lines.join('\n'));
  }
  return text;
}

// ---- the command -----------------------------------------------------------------------------------

function parseArgs(argv) {
  const args = { check: false, outDir: SOURCES };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--check') args.check = true;
    else if (arg === '--schema-dir') args.schemaDir = value();
    else if (arg === '--out-dir') args.outDir = value();
    else if (arg === '-h' || arg === '--help') args.help = true;
    else throw new Error(`unknown argument: ${arg}`);
  }
  return args;
}

/** A short unified-style diff: the first lines that differ. */
function firstDifferences(current, wanted, name) {
  const a = current.split('\n');
  const b = wanted.split('\n');
  const out = [];
  for (let i = 0; i < Math.max(a.length, b.length) && out.length < 30; i++) {
    if (a[i] !== b[i]) {
      if (a[i] !== undefined) out.push(`${name}:${i + 1} - ${a[i]}`);
      if (b[i] !== undefined) out.push(`${name}:${i + 1} + ${b[i]}`);
    }
  }
  return out.join('\n');
}

function main(argv) {
  const args = parseArgs(argv);
  if (args.help) {
    console.log('usage: node generate.mjs [--check] [--schema-dir DIR] [--out-dir DIR]');
    return 0;
  }
  const files = generate(loadDocuments(args));
  if (args.check) {
    let stale = false;
    for (const [name, text] of Object.entries(files)) {
      const path = join(args.outDir, name);
      const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
      if (current !== text) {
        console.log(firstDifferences(current, text, name));
        console.error(`${path} is out of date: run bindings-wasm/generate.mjs`);
        stale = true;
      }
    }
    if (!stale) console.log(`${Object.keys(files).join(' and ')} are up to date`);
    return stale ? 1 : 0;
  }
  mkdirSync(args.outDir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(args.outDir, name), text);
    console.log(`wrote ${join(args.outDir, name)}`);
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    console.error(error.message);
    process.exitCode = 2;
  }
}
