// The budgeted scheduler: slices never run past their budget (bar one step), the page's idle
// time is used when offered, and a busy page still gets its work done.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import vm from 'node:vm';
import { source } from './support/harness.mjs';

function load() {
  const context = vm.createContext({});
  vm.runInContext(source('content/scheduler.js'), context);
  return context.DialerGui.createScheduler;
}

/** A host with a clock the test moves and idle callbacks the test runs. */
function fakeHost({ idle = true } = {}) {
  let time = 0;
  const callbacks = [];
  const host = {
    now: () => time,
    advance: (ms) => (time += ms),
    callbacks,
    setTimeout: (fn) => callbacks.push(() => fn()),
  };
  host.timeouts = [];
  if (idle) {
    host.requestIdleCallback = (fn, options) => {
      host.timeouts.push(options.timeout);
      callbacks.push((deadline) => fn(deadline));
    };
  }
  host.runNext = (deadline) => callbacks.shift()(deadline);
  return host;
}

test('each slice stops once its budget is spent, and the rest waits for the next', () => {
  const createScheduler = load();
  const host = fakeHost();
  const scheduler = createScheduler({ host, budgetMs: 8, now: host.now });
  const done = [];
  scheduler.add(function* task() {
    for (let i = 0; i < 10; i += 1) {
      host.advance(3); // each piece costs 3 ms
      done.push(i);
      yield;
    }
  });
  assert.equal(done.length, 0, 'nothing runs before the first slice');
  host.runNext({ didTimeout: false, timeRemaining: () => 50 });
  assert.deepEqual(done, [0, 1, 2]);
  host.runNext({ didTimeout: false, timeRemaining: () => 4 }); // a short idle period
  assert.deepEqual(done, [0, 1, 2, 3, 4]);
  while (host.callbacks.length) host.runNext({ didTimeout: false, timeRemaining: () => 50 });
  assert.equal(done.length, 10);
  assert.ok(scheduler.stats.longestSliceMs <= 9, `longest ${scheduler.stats.longestSliceMs}`);
});

test('a page that is never idle still gets one step per slice when the idle wait times out', () => {
  const createScheduler = load();
  const host = fakeHost();
  const scheduler = createScheduler({ host, budgetMs: 8, now: host.now });
  let runs = 0;
  for (let i = 0; i < 3; i += 1) scheduler.add(() => {
    runs += 1;
    host.advance(20);
  });
  host.runNext({ didTimeout: true, timeRemaining: () => 0 });
  assert.equal(runs, 1);
  host.runNext({ didTimeout: true, timeRemaining: () => 0 });
  host.runNext({ didTimeout: true, timeRemaining: () => 0 });
  assert.equal(runs, 3);
  assert.equal(host.callbacks.length, 0);
  assert.deepEqual(host.timeouts, [250, 250, 250], 'every wait for idle time is bounded');
});

test('without requestIdleCallback a zero timeout runs slices of the same budget', async () => {
  const createScheduler = load();
  const host = fakeHost({ idle: false });
  const scheduler = createScheduler({ host, budgetMs: 5, now: host.now });
  let steps = 0;
  scheduler.add(function* task() {
    for (let i = 0; i < 6; i += 1) {
      host.advance(2);
      steps += 1;
      yield;
    }
  });
  host.runNext();
  assert.equal(steps, 3);
  const idle = scheduler.whenIdle();
  while (host.callbacks.length) host.runNext();
  await idle;
  assert.equal(steps, 6);
  assert.equal(scheduler.pending, 0);
});

test('a task that throws is dropped and reported; the others go on', () => {
  const createScheduler = load();
  const host = fakeHost();
  const errors = [];
  const scheduler = createScheduler({ host, now: host.now, onError: (error) => errors.push(error.message) });
  const ran = [];
  scheduler.add(() => {
    throw new Error('broken page');
  });
  scheduler.add(() => ran.push('second'));
  host.runNext({ didTimeout: false, timeRemaining: () => 50 });
  assert.deepEqual(errors, ['broken page']);
  assert.deepEqual(ran, ['second']);
});

test('clear drops queued work and releases whoever waits', async () => {
  const createScheduler = load();
  const host = fakeHost();
  const scheduler = createScheduler({ host, now: host.now });
  let ran = false;
  scheduler.add(() => (ran = true));
  const idle = scheduler.whenIdle();
  scheduler.clear();
  await idle;
  host.runNext({ didTimeout: false, timeRemaining: () => 50 });
  assert.equal(ran, false);
});
