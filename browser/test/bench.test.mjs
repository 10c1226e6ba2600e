// The detection benchmark runs and counts what it should (its timings are not checked here).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measure } from '../bench/detect-jsdom.mjs';

test('the jsdom benchmark annotates every row of a small page and reports its figures', async () => {
  const result = await measure(60);
  assert.equal(result.rows, 60);
  assert.equal(result.buttons, 60, 'one number per row; dates and order IDs left alone');
  assert.equal(result.libraryFound, 60);
  for (const key of ['annotateMs', 'slices', 'longestSliceMs', 'libraryMs']) assert.equal(typeof result[key], 'number', key);
});
