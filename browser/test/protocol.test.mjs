// What is sent to the native host, and how its answers and failures become plain words.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import vm from 'node:vm';
import { source } from './support/harness.mjs';

const context = vm.createContext({ URL });
vm.runInContext(source('common/protocol.js'), context);
const protocol = context.DialerGui.protocol;
const plain = (value) => JSON.parse(JSON.stringify(value));

test('the page recorded with a call keeps no credentials, query or fragment', () => {
  assert.equal(protocol.pageForRecord('https://alice:pw@crm.example.com/leads/7?token=abc#call'), 'https://crm.example.com/leads/7');
  assert.equal(protocol.pageForRecord('http://127.0.0.1:8080/'), 'http://127.0.0.1:8080/');
  assert.equal(protocol.pageForRecord('file:///home/alice/secret.html'), '');
  assert.equal(protocol.pageForRecord('javascript:alert(1)'), '');
  assert.equal(protocol.pageForRecord(undefined), '');
  assert.equal(protocol.pageForRecord(`https://e.com/${'a'.repeat(5000)}`).length, 2048);
});

test('a dial request carries the trimmed text; empty or page-long text is refused in words', () => {
  assert.deepEqual(plain(protocol.dialRequest('  +1 212 555 0100\n', 'https://crm.example.com/x?y')), {
    request: { type: 'dial', text: '+1 212 555 0100', page: 'https://crm.example.com/x' },
  });
  assert.deepEqual(plain(protocol.dialRequest('   ', 'https://e.com/')), { error: 'Nothing to call: select a phone number first.' });
  assert.deepEqual(plain(protocol.dialRequest(42, 'https://e.com/')), { error: 'Nothing to call: select a phone number first.' });
  assert.equal(protocol.dialRequest('1'.repeat(protocol.MAX_TEXT), '').request.text.length, protocol.MAX_TEXT);
  assert.match(protocol.dialRequest('1'.repeat(protocol.MAX_TEXT + 1), '').error, /too long/);
});

test('answers: the two shapes become words; anything else is "not understood"', () => {
  assert.deepEqual(plain(protocol.readAnswer({ ok: true, state: 'accepted' })), { ok: true, text: 'accepted' });
  assert.deepEqual(plain(protocol.readAnswer({ ok: false, error: 'The number is blocked.' })), { ok: false, text: 'The number is blocked.' });
  const notUnderstood = { ok: false, text: 'The desktop app sent an answer this extension does not understand.' };
  for (const odd of [null, undefined, 'ok', 1, [], {}, { ok: 'true', state: 'x' }, { ok: true }, { ok: true, state: 5 },
    { ok: false, error: '' }, { ok: true, state: '\u0000\u202e ' }]) {
    assert.deepEqual(plain(protocol.readAnswer(odd)), notUnderstood, JSON.stringify(odd));
  }
  // Control and direction characters go; long words are cut.
  assert.equal(protocol.readAnswer({ ok: false, error: 'a\u001b[31mb\u202ec\r\nd' }).text, 'a [31mb c d');
  assert.equal(protocol.readAnswer({ ok: true, state: 'x'.repeat(2000) }).text.length, 500);
});

test('browser failures are told as what to do, for Chromium and Firefox wordings alike', () => {
  const cases = [
    ['Specified native messaging host not found.', /not installed\. Install the desktop app, run "dialer-gui register"/],
    ['No such native application app.dialer_gui.native_host', /not installed/],
    ['Access to the specified native messaging host is forbidden.', /does not accept this extension/],
    ['Native host has exited.', /stopped without answering\. Run "dialer-gui doctor"/],
    ['An unexpected error occurred', /stopped without answering/],
    ['Error when communicating with the native messaging host.', /could not be reached\. Run "dialer-gui doctor"/],
  ];
  for (const [message, expected] of cases) assert.match(protocol.describeFailure(new Error(message)), expected, message);
});

test('ask never throws: a host that fails or hangs up becomes an answer', async () => {
  const runtime = { sendNativeMessage: async () => { throw new Error('Native host has exited.'); } };
  assert.equal((await protocol.ask(runtime, { type: 'ping' })).ok, false);
  const sent = [];
  const good = { sendNativeMessage: async (name, message) => { sent.push([name, message]); return { ok: true, state: 'ready' }; } };
  assert.deepEqual(plain(await protocol.ask(good, { type: 'ping' })), { ok: true, text: 'ready' });
  assert.deepEqual(plain(sent), [['app.dialer_gui.native_host', { type: 'ping' }]]);
});
