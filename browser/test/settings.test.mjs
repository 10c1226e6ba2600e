// Settings read back from storage, the site lists, and the region numbers are read in.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import vm from 'node:vm';
import { source } from './support/harness.mjs';

const context = vm.createContext({ URL });
vm.runInContext(source('common/settings.js'), context);
const settings = context.DialerGui.settings;
const plain = (value) => JSON.parse(JSON.stringify(value));

test('whatever storage holds comes back as settings of the right types', () => {
  for (const raw of [undefined, null, 7, 'x', [], { region: 5, detect: 'yes', allow: 'a.com', deny: {} }]) {
    assert.deepEqual(plain(settings.normalize(raw)), { region: '', detect: true, allow: [], deny: [] });
  }
  const odd = settings.normalize({
    region: 'de',
    detect: false,
    allow: ['CRM.Example.com', 'crm.example.com', 42, 'bad host', `${'a'.repeat(300)}.com`, '<script>'],
    deny: Array.from({ length: 800 }, (_, i) => `site${i}.example`),
  });
  assert.equal(odd.region, 'DE');
  assert.equal(odd.detect, false);
  assert.deepEqual(plain(odd.allow), ['crm.example.com']);
  assert.equal(odd.deny.length, settings.MAX_HOSTS);
  assert.equal(settings.normalize({ region: 'USA' }).region, '');
});

test('site lists take hosts, addresses and wildcards, one per line, and name the bad lines', () => {
  const { hosts, errors } = settings.parseHostList(
    'crm.example.com\r\n  https://Sales.Example.org:8443/leads?id=1#x \n*.intranet.example\n\nlocalhost:8080\n' +
      'ftp://files.example.com\njavascript:alert(1)\nuser:pw@evil.example\nexample.com.\ncrm.example.com',
  );
  assert.deepEqual(plain(hosts), ['crm.example.com', 'sales.example.org', 'intranet.example', 'localhost', 'example.com']);
  assert.deepEqual(plain(errors), [
    'Line 6: "ftp://files.example.com" is not a web site address.',
    'Line 7: "javascript:alert(1)" is not a web site address.',
    'Line 8: "user:pw@evil.example" is not a web site address.',
  ]);
  const long = settings.parseHostList(`${'x'.repeat(100)} y`);
  assert.match(long.errors[0], /^Line 1: "x{57}\.\.\." is not a web site address\.$/);
});

test('what a page gets: deny wins, allow finds numbers, sub-domains are covered', () => {
  const base = settings.normalize({ allow: ['example.com'], deny: ['bank.example.com'] });
  assert.equal(settings.modeFor('https://crm.example.com/x', base), 'detect');
  assert.equal(settings.modeFor('https://online.bank.example.com/', base), 'off');
  assert.equal(settings.modeFor('https://notexample.com/', base), 'detect');
  const off = settings.normalize({ detect: false, allow: ['example.com'] });
  assert.equal(settings.modeFor('https://crm.example.com/', off), 'detect');
  assert.equal(settings.modeFor('https://other.org/', off), 'links');
  assert.equal(settings.modeFor('not a url', off), 'off');
  assert.equal(settings.modeFor('https://EXAMPLE.com./', off), 'detect');
});

test('the region: the chosen one, else the browser language\'s country, else the US', () => {
  const supported = (code) => ['US', 'DE', 'GB', 'BR', 'CN'].includes(code);
  const regionFor = (region, languages) => settings.regionFor(settings.normalize({ region }), languages, supported);
  assert.equal(regionFor('GB', ['de-DE']), 'GB');
  assert.equal(regionFor('', ['de-DE', 'en-US']), 'DE');
  assert.equal(regionFor('', ['pt_BR']), 'BR');
  assert.equal(regionFor('', ['zh-Hans-CN']), 'CN');
  assert.equal(regionFor('', ['fr', 'en-GB']), 'GB');
  assert.equal(regionFor('', ['fr', 'xx-ZZ']), 'US');
  assert.equal(regionFor('ZZ', []), 'US');
});
