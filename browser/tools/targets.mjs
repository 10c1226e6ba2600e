/**
 * What differs between the two builds of the extension, in one place. Everything else is
 * src/manifest.base.json, shared by both.
 *
 * Chromium-family browsers run the background as a service worker (one file, which loads the
 * others with importScripts); Firefox runs it as an event page from a list of scripts. The
 * Chromium "key" fixes the extension ID (dgnciapcpmfcibaegabblaimnlgfaepb) of the unpacked
 * folder, so the native host's allowed_origins matches it; the zip for the Chrome Web Store
 * leaves the key out, because the store refuses uploads that carry one and gives the item
 * that same ID from its own copy of the key. The Firefox ID is the gecko id.
 */

export const CHROMIUM_ID = 'dgnciapcpmfcibaegabblaimnlgfaepb';
export const CHROMIUM_KEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwOm8ROWTshRgqcX0VrnAxqwojKyEUy1ZNINtxF/npim7Fw' +
  'gbAn2qennlhlsbxO6UrWgvffHOvgL7Scb2/bSAeDm93m14djsbLFNU6gazWTv4HeJ+E9hKJhwdpj6F558IyNSdQi4o' +
  '3Iob/YxrjhMnUmfViTx86Xnu82g+/0SjzQkw4MHHoBrAfvrh8bCWEMDTjFJ+BBH3lrWt9x3PiX/A/vyt/ENZkahwTe4' +
  'HBxDR116O26Ipb03Uc/m77joirqg3VHpCDqJdXnvy+ROg9/FhZET1YLRrhRCuCOik77YYPwhuWD+m/8NWG03yynr7/B9' +
  'BxFGqCQKWSTyw8/3+i2DSiwIDAQAB';
export const GECKO_ID = 'companion@dialer-gui.app';

/** The background's scripts, in load order. */
export const BACKGROUND_SCRIPTS = ['common/protocol.js', 'background/main.js'];
/** The service worker Chromium starts; the build writes it (it only imports the list above). */
export const SERVICE_WORKER = 'background/service-worker.js';

/** The vendored library: copied from node_modules by the build, never kept in src/. */
export const VENDOR = [
  { from: 'node_modules/libphonenumber-js/bundle/libphonenumber-max.js', to: 'vendor/libphonenumber-max.js' },
  { from: 'node_modules/libphonenumber-js/LICENSE', to: 'vendor/libphonenumber-js.LICENSE.txt' },
];

export const TARGETS = {
  chromium: {
    zip: 'dialer-gui-chromium.zip',
    manifest: (base) => ({
      ...base,
      key: CHROMIUM_KEY,
      minimum_chrome_version: '111',
      background: { service_worker: SERVICE_WORKER },
    }),
    storeManifest: ({ key: _key, ...manifest }) => manifest,
    extraFiles: () => ({
      [SERVICE_WORKER]:
        '// Written by tools/build.mjs from BACKGROUND_SCRIPTS in tools/targets.mjs.\n' +
        `importScripts(${BACKGROUND_SCRIPTS.map((path) => JSON.stringify(`/${path}`)).join(', ')});\n`,
    }),
  },
  firefox: {
    zip: 'dialer-gui-firefox.zip',
    manifest: (base) => ({
      ...base,
      background: { scripts: BACKGROUND_SCRIPTS },
      browser_specific_settings: {
        gecko: {
          id: GECKO_ID,
          // 140 (an ESR) is the first release with the built-in data collection consent.
          strict_min_version: '140.0',
          // Nothing leaves the computer: numbers go to the desktop app on the same machine.
          data_collection_permissions: { required: ['none'] },
        },
      },
    }),
    storeManifest: (manifest) => manifest,
    extraFiles: () => ({}),
  },
};
