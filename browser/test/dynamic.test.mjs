// Text that arrives after the page loaded: rows added, text edited, numbers removed, whole
// trees inserted, and the work batched through the budgeted scheduler.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPage } from './support/harness.mjs';

const html = (body) => `<!doctype html><html><head><title>t</title></head><body>${body}</body></html>`;

test('rows added by a script get their buttons; the rows already there keep theirs', async () => {
  const page = await openPage(html('<table><tbody id="rows"><tr><td>+1 212 555 0100</td></tr></tbody></table>'));
  const first = page.document.querySelector('dialer-gui-call');
  const rows = page.document.getElementById('rows');
  for (let i = 1; i <= 30; i += 1) {
    const row = rows.insertRow();
    row.insertCell().textContent = `Contact ${i}`;
    row.insertCell().textContent = `(212) 555-01${String(i).padStart(2, '0')}`;
  }
  await page.settle();
  assert.equal(page.buttons().length, 31);
  assert.equal(page.document.querySelector('dialer-gui-call'), first, 'the first button was not replaced');
  assert.equal(page.labels()[30], 'Call +1 212 555 0130');
  page.close();
});

test('text edited in place (as frameworks do with nodeValue) moves the button with the number', async () => {
  const page = await openPage(html('<p id="p">Phone: +1 212 555 0100</p>'));
  const text = page.document.getElementById('p').firstChild;
  text.nodeValue = 'Phone: +44 20 7946 0958';
  await page.settle();
  assert.deepEqual(page.labels(), ['Call +44 20 7946 0958']);
  text.nodeValue = 'Phone: none';
  await page.settle();
  assert.deepEqual(page.labels(), []);
  page.close();
});

test('a number removed from the page takes its button with it', async () => {
  const page = await openPage(html('<p id="p"><span id="a">+1 212 555 0100</span> and <span id="b">+1 212 555 0101</span></p>'));
  assert.equal(page.buttons().length, 2);
  page.document.getElementById('a').remove();
  await page.settle();
  assert.deepEqual(page.labels(), ['Call +1 212 555 0101']);
  page.close();
});

test('a tree inserted at once, inline wrapper and nested blocks, is read whole', async () => {
  const page = await openPage(html('<div id="app"></div>'));
  const wrapper = page.document.createElement('span');
  wrapper.innerHTML = 'Desk +1 212 555 0100 <div><p>Mobile <b>646 555 0148</b></p><ul><li>Fax 212.555.0199</li></ul></div>';
  page.document.getElementById('app').append(wrapper);
  await page.settle();
  assert.deepEqual(page.labels().sort(), ['Call +1 212 555 0100', 'Call +1 212 555 0199', 'Call +1 646 555 0148']);
  page.close();
});

test('text typed into an editable area is never annotated', async () => {
  const page = await openPage(html('<div contenteditable="true" id="ed"><p>Notes</p></div>'));
  const p = page.document.querySelector('#ed p');
  p.append(' call +1 212 555 0100');
  p.after(page.document.createElement('div'));
  p.nextSibling.textContent = '+1 212 555 0101';
  await page.settle();
  assert.deepEqual(page.labels(), []);
  page.close();
});

test('a chat that appends a message rescans only the new message, not the whole history', async () => {
  const messages = Array.from({ length: 200 }, (_, i) => `<div class="msg">Message ${i}: call (212) 555-${String(1000 + i)}</div>`);
  const page = await openPage(html(`<div id="log">${messages.join('')}</div>`));
  assert.equal(page.buttons().length, 200);
  const log = page.document.getElementById('log');
  const stats = page.content.schedulerStats;
  const stepsBefore = stats.steps;
  const message = page.document.createElement('div');
  message.textContent = 'New: +1 646 555 0147';
  log.append(message);
  await page.settle();
  assert.equal(page.buttons().length, 201);
  assert.ok(stats.steps - stepsBefore <= 3, `took ${stats.steps - stepsBefore} steps`);
  page.close();
});

test('a thousand mutations in one burst are batched into bounded slices', async () => {
  const page = await openPage(html('<ul id="list"></ul>'));
  const list = page.document.getElementById('list');
  const stats = page.content.schedulerStats;
  const slicesBefore = stats.slices;
  for (let i = 0; i < 1000; i += 1) {
    const item = page.document.createElement('li');
    item.textContent = `(212) 555-${String(1000 + i)}`;
    list.append(item);
  }
  await page.settle();
  assert.equal(page.buttons().length, 1000);
  assert.ok(stats.slices - slicesBefore > 1, 'the work was split into several slices');
  // Wall-clock time on a shared machine: a loose bound (the scheduler's own tests hold the exact one).
  assert.ok(stats.longestSliceMs < 250, `longest slice ${stats.longestSliceMs} ms`);
  page.close();
});
