// Runs the cross-language scenario files in tests/scenarios/ through the JavaScript client, exactly as
// core/tests/scenarios.rs and bindings-python/tests/test_scenarios.py run them (see
// tests/scenarios/README.md).

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import * as zkit from 'zkit';

import { REPO, Sandbox, WRONG_KEY } from './support.mjs';

const DIRECTORY = join(REPO, 'tests', 'scenarios');
const SCENARIOS = readdirSync(DIRECTORY).filter((name) => name.endsWith('.json')).sort();

/** Whether `actual` matches `expected`: objects by expected keys, arrays by length and element,
 * numbers by value, anything else by equality (and by type: 1 is not true, "1" is not 1). */
function matches(expected, actual) {
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && expected.length === actual.length && expected.every((item, i) => matches(item, actual[i]));
  }
  if (expected !== null && typeof expected === 'object') {
    return (
      actual !== null &&
      typeof actual === 'object' &&
      !Array.isArray(actual) &&
      Object.entries(expected).every(([key, value]) => Object.hasOwn(actual, key) && matches(value, actual[key]))
    );
  }
  return typeof expected === typeof actual && expected === actual;
}

function callOptions(step) {
  const given = step.options ?? {};
  const out = {};
  if ('max_retries' in given) out.maxRetries = given.max_retries;
  if ('timeout_ms' in given) out.timeoutMs = given.timeout_ms;
  return out;
}

async function runStep(sandbox, clients, step) {
  if ('advance_clock_seconds' in step) return sandbox.advanceClock(step.advance_clock_seconds);
  if ('fault' in step) return sandbox.fault(step.fault);
  const operation = step.call;
  assert.equal(typeof operation, 'string', 'a step needs call, fault or advance_clock_seconds');
  const client = clients[step.client ?? 'default'];
  const sentBefore = (await sandbox.journal()).length;
  const expectedError = step.expect_error;
  let response;
  try {
    response = await client.callJson(operation, step.input ?? {}, callOptions(step));
  } catch (error) {
    assert.ok(error instanceof zkit.ZkitError, `${operation}: not a ZkitError: ${error}`);
    assert.ok(expectedError !== undefined, `${operation}: unexpected error ${error}`);
    const actual = {
      kind: error.kind,
      status: error.status,
      code: error.code,
      message: error.message,
      field: error.field,
      retry_after_seconds: error.retryAfter,
    };
    assert.ok(matches(expectedError, actual), `${operation}: expected error ${JSON.stringify(expectedError)}, got ${JSON.stringify(actual)}`);
    if (error.kind === 'invalid_input') {
      assert.equal((await sandbox.journal()).length, sentBefore, `${operation}: invalid input reached the sandbox`);
    }
    return undefined;
  }
  assert.equal(expectedError, undefined, `${operation}: expected error ${JSON.stringify(expectedError)}, got ${JSON.stringify(response.data)}`);
  assert.ok(matches(step.expect ?? null, response.data), `${operation}: expected ${JSON.stringify(step.expect)}, got ${JSON.stringify(response.data)}`);
  if ('expect_attempts' in step) {
    assert.equal(response.attempts, step.expect_attempts, `${operation}: expected ${step.expect_attempts} attempts, took ${response.attempts}`);
  }
  return undefined;
}

let sandbox;
before(async () => {
  sandbox = await Sandbox.start();
});
after(() => sandbox.stop());

test('the scenario files are found', () => {
  assert.ok(SCENARIOS.length >= 5, SCENARIOS.join(', '));
});

for (const name of SCENARIOS) {
  test(`scenario ${name}`, async () => {
    const scenario = JSON.parse(readFileSync(join(DIRECTORY, name), 'utf8'));
    const described = (await sandbox.control('GET', '')).apis[scenario.api];
    const ClientClass = zkit[scenario.api[0].toUpperCase() + scenario.api.slice(1)];
    await sandbox.reset();
    const settings = { default: { api_key: described.api_key }, wrong_key: { api_key: WRONG_KEY }, ...scenario.clients };
    const clients = {};
    for (const [clientName, values] of Object.entries(settings)) {
      // Scenario files name settings as the core does; JavaScript spells them in camelCase.
      const options = Object.fromEntries(
        Object.entries(values).map(([key, value]) => [key.replace(/_(\w)/g, (_, c) => c.toUpperCase()), value]),
      );
      clients[clientName] = new ClientClass({ ...options, baseUrl: described.base_url, jitterSeed: 7 });
    }
    try {
      for (const [index, step] of scenario.steps.entries()) {
        try {
          await runStep(sandbox, clients, step);
        } catch (failure) {
          failure.message = `${name} step ${index}: ${failure.message}`;
          throw failure;
        }
      }
    } finally {
      for (const client of Object.values(clients)) client.close();
    }
  });
}

test('the partial matching rules', () => {
  assert.ok(matches({ a: 1 }, { a: 1, b: 2 }));
  assert.ok(!matches({ a: 1, c: 3 }, { a: 1, b: 2 }));
  assert.ok(!matches([{ a: 1 }], [{ a: 1 }, { a: 2 }]));
  assert.ok(matches(null, null));
  assert.ok(!matches(null, []));
  assert.ok(!matches({}, []));
  assert.ok(matches(1, 1.0));
  assert.ok(!matches(1, true) && !matches(true, 1));
  assert.ok(!matches('1', 1));
});
