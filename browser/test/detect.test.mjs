// Finding numbers in page text: varied real-world markup, what must not match, split numbers,
// the skip rules, and that the page's text stays exactly as it was.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, openPage } from './support/harness.mjs';

const html = (body) => `<!doctype html><html><head><title>t</title></head><body>${body}</body></html>`;

test('a CRM table: the phone column gets buttons, dates, times, IDs and addresses do not', async () => {
  const page = await openPage(readFileSync(join(ROOT, 'test', 'pages', 'crm.html'), 'utf8'));
  assert.deepEqual(page.labels(), [
    'Call +1 212 555 0100',
    'Call +49 30 1234567',
    'Call +33 1 23 45 67 89',
    'Call +1 212 555 0199',
    'Call +44 20 7946 0958',
    'Call +1 646 555 0147',
    'Call +1 646 555 0148',
  ]);
  const rows = [...page.document.querySelectorAll('tbody tr')];
  // Only the phone cell (the third) of each row holds a button; the link row holds none.
  for (const row of rows) {
    const cells = [...row.cells].map((cell) => cell.querySelectorAll('dialer-gui-call').length);
    assert.deepEqual(cells.slice(3), [0, 0], row.textContent);
  }
  assert.equal(rows[3].querySelectorAll('dialer-gui-call').length, 0);
  page.close();
});

test('the text of the page is exactly what it was', async () => {
  const body = readFileSync(join(ROOT, 'test', 'pages', 'crm.html'), 'utf8');
  const plain = await openPage(body, { settings: { detect: false } });
  const before = plain.document.body.textContent;
  plain.close();
  const page = await openPage(body);
  assert.ok(page.buttons().length > 0);
  assert.equal(page.document.body.textContent, before);
  // Each number's text node is where it was, unsplit: the button is its next sibling.
  const host = page.document.querySelector('dialer-gui-call');
  assert.equal(host.previousSibling.nodeValue, '(212) 555-0100');
  assert.equal(host.childNodes.length, 0);
  page.close();
});

test('numbers in sentences, in several notations, with the user region for national ones', async () => {
  const page = await openPage(
    html(
      '<p>Call us at (212) 555-0100, or fax 212.555.0199.</p>' +
        '<p>Our London office: +44 20 7946 0958; Paris: +33 1 23 45 67 89.</p>' +
        '<p>Numbers in a list: 212-555-0100,212-555-0101</p>',
    ),
  );
  assert.deepEqual(page.labels(), [
    'Call +1 212 555 0100',
    'Call +1 212 555 0199',
    'Call +44 20 7946 0958',
    'Call +33 1 23 45 67 89',
    'Call +1 212 555 0100',
    'Call +1 212 555 0101',
  ]);
  page.close();
});

test('the region chosen in the options reads national numbers', async () => {
  const body = html('<p>Zentrale: 030 12345678</p>');
  const us = await openPage(body);
  assert.deepEqual(us.labels(), []);
  us.close();
  const de = await openPage(body, { settings: { region: 'DE' } });
  assert.deepEqual(de.labels(), ['Call +49 30 12345678']);
  de.close();
  const german = await openPage(body, { languages: ['de-DE', 'de'] });
  assert.deepEqual(german.labels(), ['Call +49 30 12345678']);
  german.close();
});

test('dates, times, prices, IDs, ISBNs, addresses and card numbers are not numbers to call', async () => {
  const page = await openPage(
    html(
      '<p>Created 2024-01-15 at 10:30, due 12/05/2023.</p>' +
        '<p>Order #2125550100 and Invoice 2015550123, ref 4111 1111 1111 1111.</p>' +
        '<p>ISBN 978-3-16-148410-0, host 192.168.1.1, build 20231215, v1.201.555.0123.</p>' +
        '<p>Total $2,015,550,123.00, ZIP 10001-1234, SSN 555-01-0042.</p>' +
        '<p>Too short: 555-0100. Not valid: +1 (012) 555-0100.</p>',
    ),
  );
  assert.deepEqual(page.labels(), []);
  page.close();
});

test('a vCard in HTML (hCard) and a number split across elements', async () => {
  const page = await openPage(
    html(
      '<div class="vcard"><span class="fn">Erin Walsh</span>' +
        '<div class="tel"><span class="type">work</span>: <span class="value">+1 (646) 555-0147</span></div>' +
        '<div class="tel"><abbr class="type" title="cell">c</abbr> <a href="mailto:e@example.com">e@example.com</a></div></div>' +
        '<p><span>+1 212</span> <span>555 0100</span></p>' +
        '<p><b>+49</b>&nbsp;<i>30</i> 1234<em>567</em></p>' +
        '<p>+1 212<br>555 0100</p>',
    ),
  );
  assert.deepEqual(page.labels(), ['Call +1 646 555 0147', 'Call +1 212 555 0100', 'Call +49 30 1234567']);
  // The button of a split number follows the part that ends it.
  const split = page.document.querySelectorAll('p')[0];
  assert.equal(split.querySelector('dialer-gui-call').parentElement, split.querySelectorAll('span')[1]);
  page.close();
});

test('source line breaks inside a cell do not cut a number in two', async () => {
  const page = await openPage(html('<table><tr><td>\n  +1 212\n  555 0100\n</td></tr></table>'));
  assert.deepEqual(page.labels(), ['Call +1 212 555 0100']);
  page.close();
});

test('fields, editable areas, code, scripts, styles, links and frames are skipped', async () => {
  const number = '+1 212 555 0100';
  const page = await openPage(
    html(
      `<input value="${number}"><textarea>${number}</textarea><select><option>${number}</option></select>` +
        `<div contenteditable="true"><p>${number}</p></div><div contenteditable=""><span>${number}</span></div>` +
        `<div role="textbox">${number}</div><code>${number}</code><pre>${number}</pre>` +
        `<script>var x = "${number}";</script><style>/* ${number} */</style><noscript>${number}</noscript>` +
        `<a href="https://example.com/">${number}</a><button>${number}</button>` +
        `<svg><text>${number}</text></svg><template><p>${number}</p></template>` +
        `<div contenteditable="false"><p id="kept">${number}</p></div>`,
    ),
  );
  // Only the one inside contenteditable="false" (not editable) is found.
  assert.deepEqual(page.labels(), [`Call ${number}`]);
  assert.ok(page.document.querySelector('#kept dialer-gui-call'));
  page.close();
});

test('detection off: no buttons, and turning it on later finds the numbers without a reload', async () => {
  const page = await openPage(html('<p>+1 212 555 0100</p>'), { settings: { detect: false } });
  assert.deepEqual(page.labels(), []);
  await page.browser.api.storage.sync.set({ detect: true });
  await page.content.ready;
  await new Promise((resolve) => setTimeout(resolve, 0));
  await page.settle();
  assert.deepEqual(page.labels(), ['Call +1 212 555 0100']);
  await page.browser.api.storage.sync.set({ detect: false });
  await new Promise((resolve) => setTimeout(resolve, 0));
  await page.settle();
  assert.equal(page.document.querySelectorAll('dialer-gui-call').length, 0);
  page.close();
});

test('the allow list finds numbers with detection off; the deny list stays out entirely', async () => {
  const body = html('<p>+1 212 555 0100</p>');
  const allowed = await openPage(body, { settings: { detect: false, allow: ['example.com'] } });
  assert.deepEqual(allowed.labels(), ['Call +1 212 555 0100']);
  allowed.close();
  const denied = await openPage(body, { settings: { allow: ['example.com'], deny: ['crm.example.com'] } });
  assert.deepEqual(denied.labels(), []);
  denied.close();
});

test('each button is a real, labelled button with styles of its own', async () => {
  const page = await openPage(html('<style>button { display: none }</style><p>+1 212 555 0100</p>'));
  const [button] = page.buttons();
  assert.equal(button.localName, 'button');
  assert.equal(button.type, 'button');
  assert.equal(button.tabIndex, 0);
  assert.equal(button.getAttribute('aria-label'), 'Call +1 212 555 0100');
  assert.equal(button.textContent, '');
  const host = page.document.querySelector('dialer-gui-call');
  assert.equal(host.shadowRoot, null, 'the shadow root is closed to the page');
  assert.match(page.shadowOf(host).querySelector('style').textContent, /:host \{ all: initial !important/);
  page.close();
});

test('changing the region in the options reads the page again with the new one', async () => {
  const page = await openPage(html('<p>Zentrale: 030 12345678</p><p>Desk: +1 212 555 0100</p>'));
  assert.deepEqual(page.labels(), ['Call +1 212 555 0100']);
  await page.browser.api.storage.sync.set({ region: 'DE' });
  for (let i = 0; i < 50 && page.labels().length < 2; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 2));
    await page.settle();
  }
  assert.deepEqual(page.labels(), ['Call +49 30 12345678', 'Call +1 212 555 0100']);
  page.close();
});
