/**
 * Builds the extension for Chromium-family browsers and for Firefox, from one source tree:
 * dist/chromium/ and dist/firefox/ (load these unpacked) and dist/dialer-gui-chromium.zip and
 * dist/dialer-gui-firefox.zip (for the Chrome Web Store and addons.mozilla.org; the store's
 * manifest differs from the folder's only where targets.mjs says, storeManifest).
 *
 * Each build is checked before and after zipping: the manifest parses, every file it names is
 * there, and the zip holds exactly the files of the folder. The zips are reproducible (fixed
 * dates, sorted entries), so the same source gives the same bytes.
 *
 *   node tools/build.mjs            build both
 *   node tools/build.mjs --check    build both into a temporary folder, check, leave nothing
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync, zipSync } from 'fflate';
import { TARGETS, VENDOR } from './targets.mjs';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const SRC = join(ROOT, 'src');
const ZIP_DATE = new Date('2000-01-01T00:00:00Z');

function listAll(folder) {
  const out = [];
  (function walk(dir) {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(folder, path).split(sep).join('/'));
    }
  })(folder);
  return out;
}

/** Every file a manifest names. */
export function referencedFiles(manifest) {
  const files = new Set(Object.values(manifest.icons || {}));
  const action = manifest.action || {};
  Object.values(action.default_icon || {}).forEach((path) => files.add(path));
  if (action.default_popup) files.add(action.default_popup);
  if (manifest.options_ui) files.add(manifest.options_ui.page);
  for (const script of manifest.content_scripts || []) {
    (script.js || []).forEach((path) => files.add(path));
    (script.css || []).forEach((path) => files.add(path));
  }
  const background = manifest.background || {};
  if (background.service_worker) files.add(background.service_worker);
  (background.scripts || []).forEach((path) => files.add(path));
  return [...files];
}

/** Problems of one build, given a manifest's text and the set of files present. */
export function problems(manifestText, present) {
  let manifest;
  try {
    manifest = JSON.parse(manifestText);
  } catch (error) {
    return [`manifest.json does not parse: ${error.message}`];
  }
  const found = [];
  if (manifest.manifest_version !== 3) found.push('manifest_version is not 3');
  for (const path of referencedFiles(manifest)) {
    if (!present.has(path)) found.push(`manifest.json names ${path}, which is missing`);
  }
  return found;
}

function buildTarget(name, target, out, version) {
  const folder = join(out, name);
  rmSync(folder, { recursive: true, force: true });
  cpSync(SRC, folder, { recursive: true, filter: (path) => !path.endsWith('manifest.base.json') });
  for (const { from, to } of VENDOR) {
    const source = join(ROOT, from);
    if (!existsSync(source)) throw new Error(`${from} is missing: run "npm ci" in browser/ first`);
    mkdirSync(dirname(join(folder, to)), { recursive: true });
    cpSync(source, join(folder, to));
  }
  for (const [path, text] of Object.entries(target.extraFiles())) writeFileSync(join(folder, path), text);
  const base = JSON.parse(readFileSync(join(SRC, 'manifest.base.json'), 'utf8'));
  const manifest = target.manifest({ ...base, version });
  writeFileSync(join(folder, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  const files = listAll(folder);
  const before = problems(readFileSync(join(folder, 'manifest.json'), 'utf8'), new Set(files));
  if (before.length) throw new Error(`${name}: ${before.join('; ')}`);

  const entries = {};
  for (const path of files) entries[path] = [readFileSync(join(folder, path)), { mtime: ZIP_DATE }];
  const storeManifest = `${JSON.stringify(target.storeManifest(manifest), null, 2)}\n`;
  entries['manifest.json'] = [new TextEncoder().encode(storeManifest), { mtime: ZIP_DATE }];
  const zipPath = join(out, target.zip);
  writeFileSync(zipPath, zipSync(entries, { level: 9 }));

  const unpacked = unzipSync(readFileSync(zipPath));
  const inZip = new Set(Object.keys(unpacked));
  const after = problems(new TextDecoder().decode(unpacked['manifest.json']), inZip);
  if (inZip.size !== files.length) after.push('the zip does not hold exactly the folder\'s files');
  if (after.length) throw new Error(`${target.zip}: ${after.join('; ')}`);
  return { folder, zipPath, files: files.length, bytes: statSync(zipPath).size };
}

export function build(out = join(ROOT, 'dist')) {
  const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
  mkdirSync(out, { recursive: true });
  return Object.fromEntries(
    Object.entries(TARGETS).map(([name, target]) => [name, buildTarget(name, target, out, version)]),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  const out = check ? mkdtempSync(join(tmpdir(), 'dialer-gui-ext-')) : join(ROOT, 'dist');
  try {
    for (const [name, result] of Object.entries(build(out))) {
      console.log(`${name}: ${result.files} files, ${relative(process.cwd(), result.zipPath)} (${result.bytes} bytes)`);
    }
  } finally {
    if (check) rmSync(out, { recursive: true, force: true });
  }
}
