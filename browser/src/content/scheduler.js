/**
 * Work in small slices while the page is idle, so finding numbers never makes a page stutter.
 *
 * A task is a function; a long one is a generator function, which yields whenever it has done
 * a small piece (one block of text), and the scheduler stops after the piece that used up its
 * slice, keeping the task to resume in the next one. A slice lasts as long as the browser
 * says it is idle (requestIdleCallback's deadline) and never longer than budgetMs; when the
 * page is never idle, the idle callback's timeout still runs one short slice, so the work
 * finishes in the end without ever taking a long task. Where requestIdleCallback is missing
 * (older Safari-like engines, jsdom) a zero timeout stands in with the same budget.
 *
 * Hand-written because the platform's own scheduler (scheduler.postTask / yield) is in
 * Chromium only, and a library for twenty lines of queueing would be a dependency for nothing.
 */
(function (root) {
  'use strict';
  const ns = (root.DialerGui = root.DialerGui || {});

  /**
   * @param {object} options
   * @param {Window|object} options.host where requestIdleCallback / setTimeout live
   * @param {number} [options.budgetMs] the longest slice, in milliseconds
   * @param {number} [options.timeoutMs] the longest wait for an idle period
   * @param {() => number} [options.now] the clock (performance.now by default)
   * @param {(error: unknown) => void} [options.onError] a task that throws is dropped, and told here
   */
  function createScheduler(options) {
    const host = options.host;
    const budgetMs = options.budgetMs ?? 8;
    const timeoutMs = options.timeoutMs ?? 250;
    const now = options.now ?? (() => host.performance.now());
    const onError = options.onError ?? (() => {});
    // A queue read from `head`: shift() copies the array, which a burst of thousands of
    // mutations would pay for on every step.
    let queue = [];
    let head = 0;
    let scheduled = false;
    let idleWaiters = [];
    const stats = { slices: 0, longestSliceMs: 0, steps: 0 };

    function request() {
      if (scheduled) return;
      scheduled = true;
      if (typeof host.requestIdleCallback === 'function') {
        host.requestIdleCallback(runSlice, { timeout: timeoutMs });
      } else {
        host.setTimeout(() => runSlice(null), 0);
      }
    }

    function runSlice(deadline) {
      scheduled = false;
      const start = now();
      const idleLeft = deadline && !deadline.didTimeout ? deadline.timeRemaining() : budgetMs;
      const sliceMs = Math.max(1, Math.min(budgetMs, idleLeft));
      // At least one step per slice, so a page that is never idle still gets its numbers.
      do {
        const task = queue[head];
        let step;
        try {
          step = task.next();
        } catch (error) {
          step = { done: true };
          onError(error);
        }
        stats.steps += 1;
        if (step.done) {
          queue[head] = null;
          head += 1;
        }
      } while (head < queue.length && now() - start < sliceMs);
      if (head === queue.length) {
        queue = [];
        head = 0;
      }
      stats.slices += 1;
      stats.longestSliceMs = Math.max(stats.longestSliceMs, now() - start);
      if (queue.length) {
        request();
      } else {
        const waiters = idleWaiters;
        idleWaiters = [];
        waiters.forEach((resolve) => resolve());
      }
    }

    return {
      /** Queues task(...args) for a later slice; a generator runs one piece per step. */
      add(task, ...args) {
        let started = null;
        queue.push({
          next() {
            if (!started) {
              const result = task(...args);
              if (!result || typeof result.next !== 'function') return { done: true };
              started = result;
            }
            return started.next();
          },
        });
        request();
      },
      /** Drops every queued task (detection switched off, page left). */
      clear() {
        queue = [];
        head = 0;
        const waiters = idleWaiters;
        idleWaiters = [];
        waiters.forEach((resolve) => resolve());
      },
      get pending() {
        return queue.length - head;
      },
      /** Resolves once every queued task has finished. */
      whenIdle() {
        if (head === queue.length) return Promise.resolve();
        return new Promise((resolve) => idleWaiters.push(resolve));
      },
      stats,
    };
  }

  ns.createScheduler = createScheduler;
})(globalThis);
