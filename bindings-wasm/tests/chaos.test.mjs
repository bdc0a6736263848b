// The short chaos run: 450 calls of mixed operations of all four APIs while a tenth of the requests
// meet a fault of every kind, then 1 000 cheap calls. Every call ends in a result or a ZkitError within
// its deadline, and no non-idempotent request is acted on twice. The full run with its figures is
// `scripts/chaos` (chaos_run.mjs).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { run, table } from './chaos_run.mjs';
import { Sandbox } from './support.mjs';

let sandbox;
before(async () => {
  sandbox = await Sandbox.start();
});
after(() => sandbox.stop());

test('every call ends typed in time, and nothing is acted on twice', async () => {
  const figures = await run(sandbox, { calls: 450, concurrency: 16, faultRate: 0.1, cheapCalls: 1000 });
  console.log(table(figures, 'Node'));
  assert.equal(figures.calls, 450);
  assert.ok(figures.faultsMet > 20, JSON.stringify(figures));
  assert.deepEqual(figures.untyped, []);
  assert.equal(figures.successes + Object.values(figures.typed).reduce((a, b) => a + b, 0), 450);
  assert.deepEqual([figures.duplicated, figures.late], [0, 0]);
  // The 50 cancels of jobs that do not exist answer 404, but for the few a fault stopped.
  assert.ok(figures.typed.not_found >= 35 && figures.typed.not_found <= 50, JSON.stringify(figures.typed));
  assert.equal(figures.typed.conflict, undefined, 'a create acted on twice meets its own name');
  assert.ok(figures.successes > 300, JSON.stringify(figures));
});
