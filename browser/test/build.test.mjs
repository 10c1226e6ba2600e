// The packaging script: two builds from one tree, checked, zipped, reproducible.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { unzipSync } from 'fflate';
import { build, problems, referencedFiles } from '../tools/build.mjs';
import { CHROMIUM_ID, CHROMIUM_KEY, GECKO_ID } from '../tools/targets.mjs';

let out;
let result;
before(() => {
  out = mkdtempSync(join(tmpdir(), 'dialer-gui-build-test-'));
  result = build(out);
});
after(() => rmSync(out, { recursive: true, force: true }));

const zipped = (name) => unzipSync(readFileSync(join(out, `dialer-gui-${name}.zip`)));
const manifestOf = (files) => JSON.parse(new TextDecoder().decode(files['manifest.json']));

test('the Chromium zip: service worker, every named file inside, no key (the store refuses one)', () => {
  const files = zipped('chromium');
  const manifest = manifestOf(files);
  assert.equal(manifest.manifest_version, 3);
  assert.equal(manifest.key, undefined);
  const unpacked = JSON.parse(readFileSync(join(result.chromium.folder, 'manifest.json'), 'utf8'));
  assert.equal(unpacked.key, CHROMIUM_KEY, 'the folder to load unpacked keeps the fixed ID');
  assert.deepEqual({ ...unpacked, key: undefined }, { ...manifest, key: undefined });
  assert.deepEqual(manifest.background, { service_worker: 'background/service-worker.js' });
  assert.equal(manifest.browser_specific_settings, undefined);
  assert.match(new TextDecoder().decode(files['background/service-worker.js']), /importScripts\("\/common\/protocol.js", "\/background\/main.js"\)/);
  for (const path of referencedFiles(manifest)) assert.ok(files[path], path);
  assert.ok(files['vendor/libphonenumber-max.js'].length > 100000, 'the library is vendored whole');
  assert.ok(files['vendor/libphonenumber-js.LICENSE.txt']);
  assert.deepEqual(manifest.permissions, ['nativeMessaging', 'storage', 'contextMenus']);
  assert.equal(manifest.version, JSON.parse(readFileSync(new URL('../package.json', import.meta.url))).version);
});

test('the key gives the extension ID the native host allows', () => {
  const digest = createHash('sha256').update(Buffer.from(CHROMIUM_KEY, 'base64')).digest('hex').slice(0, 32);
  const id = [...digest].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join('');
  assert.equal(id, CHROMIUM_ID);
  assert.equal(id, 'dgnciapcpmfcibaegabblaimnlgfaepb');
});

test('the Firefox zip: background scripts, the gecko id, no Chromium key', () => {
  const files = zipped('firefox');
  const manifest = manifestOf(files);
  assert.deepEqual(manifest.background, { scripts: ['common/protocol.js', 'background/main.js'] });
  assert.equal(manifest.browser_specific_settings.gecko.id, GECKO_ID);
  assert.equal(GECKO_ID, 'companion@dialer-gui.app');
  assert.equal(manifest.key, undefined);
  assert.equal(files['background/service-worker.js'], undefined);
  for (const path of referencedFiles(manifest)) assert.ok(files[path], path);
});

test('both builds share everything but the manifest and the service worker', () => {
  const chromium = Object.keys(zipped('chromium')).sort();
  const firefox = Object.keys(zipped('firefox')).sort();
  assert.deepEqual(chromium.filter((path) => path !== 'background/service-worker.js'), firefox);
  assert.ok(!chromium.includes('manifest.base.json'));
  assert.equal(result.chromium.files, chromium.length);
});

test('the zips are the same bytes when built again', () => {
  const again = mkdtempSync(join(tmpdir(), 'dialer-gui-build-again-'));
  try {
    build(again);
    for (const name of ['chromium', 'firefox']) {
      const file = `dialer-gui-${name}.zip`;
      assert.ok(readFileSync(join(again, file)).equals(readFileSync(join(out, file))), file);
    }
  } finally {
    rmSync(again, { recursive: true, force: true });
  }
});

test('the check names a manifest that does not parse and files that are missing', () => {
  assert.match(problems('{ nope', new Set())[0], /^manifest.json does not parse/);
  const manifest = JSON.stringify({
    manifest_version: 2,
    icons: { 16: 'icons/icon-16.png' },
    content_scripts: [{ js: ['content/main.js'] }],
    background: { scripts: ['background/main.js'] },
  });
  assert.deepEqual(problems(manifest, new Set(['content/main.js'])), [
    'manifest_version is not 3',
    'manifest.json names icons/icon-16.png, which is missing',
    'manifest.json names background/main.js, which is missing',
  ]);
});
