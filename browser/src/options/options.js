/**
 * The options page: detection on or off, the region for numbers without a country code, and
 * the lists of sites where numbers are always found or that are left alone. Each change is
 * saved at once, as in the browser's own settings; a list with lines that are not web sites
 * is not saved, and the lines are named.
 */
(function (root) {
  'use strict';
  const ns = root.DialerGui;
  const api = root.browser ?? root.chrome;
  const lib = root.libphonenumber;
  const doc = root.document;
  const $ = (id) => doc.getElementById(id);
  let current = ns.settings.normalize({});

  function countryNames() {
    let names = null;
    try {
      names = new Intl.DisplayNames(root.navigator.languages, { type: 'region' });
    } catch {
      // No region names in this browser: the codes alone.
    }
    return lib
      .getCountries()
      .map((code) => ({ code, name: (names && names.of(code)) || code }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  function fillRegions() {
    const select = $('region');
    const own = ns.settings.regionFor({ region: '' }, root.navigator.languages, (code) => lib.isSupportedCountry(code));
    const first = doc.createElement('option');
    first.value = '';
    first.textContent = `The browser's language (${own})`;
    select.append(first);
    for (const { code, name } of countryNames()) {
      const option = doc.createElement('option');
      option.value = code;
      option.textContent = `${name} (+${lib.getCountryCallingCode(code)})`;
      select.append(option);
    }
  }

  function show(settings) {
    $('detect').checked = settings.detect;
    $('region').value = settings.region;
    $('allow').value = settings.allow.join('\n');
    $('deny').value = settings.deny.join('\n');
  }

  async function save(change) {
    // Merged before the write, not after: quick changes in a row each keep the ones before.
    current = ns.settings.normalize({ ...current, ...change });
    await ns.settings.save(api, current);
    $('saved').textContent = 'Saved.';
  }

  function saveList(id) {
    const { hosts, errors } = ns.settings.parseHostList($(id).value);
    $(`${id}-error`).textContent = errors.join(' ');
    $(id).setAttribute('aria-invalid', errors.length ? 'true' : 'false');
    if (errors.length) {
      $('saved').textContent = '';
      return Promise.resolve();
    }
    return save({ [id]: hosts }).then(() => {
      $(id).value = hosts.join('\n');
    });
  }

  async function start() {
    fillRegions();
    current = await ns.settings.load(api);
    show(current);
    $('detect').addEventListener('change', () => save({ detect: $('detect').checked }));
    $('region').addEventListener('change', () => save({ region: $('region').value }));
    $('allow').addEventListener('change', () => saveList('allow'));
    $('deny').addEventListener('change', () => saveList('deny'));
  }

  ns.options = { ready: start(), saveList };
})(globalThis);
