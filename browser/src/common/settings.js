/**
 * The extension's settings: their defaults, how stored values are read back, and what a site
 * gets.
 *
 * Settings live in storage.sync, which a user (or another extension version) may have filled
 * with anything, so every value is read through normalize() and nothing else trusts the store.
 *
 * What a page gets (modeFor):
 *   - a host on the deny list: nothing at all; its tel: links stay the browser's;
 *   - a host on the allow list: numbers found in its text, and its links taken over;
 *   - any other host: numbers found when detection is on, links taken over always.
 * Deny wins over allow. An entry covers the host and every sub-domain ("example.com" covers
 * "crm.example.com"), because CRMs move between sub-domains of one company.
 *
 * A classic script (no modules): the content scripts, which cannot be modules, load it too.
 */
(function (root) {
  'use strict';
  const ns = (root.DialerGui = root.DialerGui || {});

  const MAX_HOSTS = 500;
  const MAX_HOST_LENGTH = 253;
  // A host name as the URL parser leaves it: lower case letters, digits, dots and dashes
  // (international names arrive as punycode), or an IPv4 address.
  const HOST_PATTERN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

  const DEFAULTS = Object.freeze({
    region: '', // empty: the country of the browser's language
    detect: true,
    allow: Object.freeze([]),
    deny: Object.freeze([]),
  });

  /** Two letters, upper case, or '' (the browser's own). */
  function normalizeRegion(value) {
    return typeof value === 'string' && /^[A-Za-z]{2}$/.test(value) ? value.toUpperCase() : '';
  }

  function normalizeHosts(value) {
    if (!Array.isArray(value)) return [];
    const hosts = [];
    for (const item of value) {
      if (typeof item !== 'string' || item.length > MAX_HOST_LENGTH) continue;
      const host = item.toLowerCase();
      if (HOST_PATTERN.test(host) && !hosts.includes(host)) hosts.push(host);
      if (hosts.length >= MAX_HOSTS) break;
    }
    return hosts;
  }

  /** Whatever the store held, as settings with every field present and of its type. */
  function normalize(raw) {
    const value = raw && typeof raw === 'object' ? raw : {};
    return {
      region: normalizeRegion(value.region),
      detect: typeof value.detect === 'boolean' ? value.detect : DEFAULTS.detect,
      allow: normalizeHosts(value.allow),
      deny: normalizeHosts(value.deny),
    };
  }

  /**
   * One host per line, as a person types or pastes them: "crm.example.com", a whole address
   * ("https://crm.example.com/leads?id=1"), "*.example.com". Returns the hosts and, for each
   * line that is none of these, an error in plain words naming the line.
   */
  function parseHostList(text) {
    const hosts = [];
    const errors = [];
    const lines = String(text).split(/\r\n|\r|\n/);
    lines.forEach((line, index) => {
      const entry = line.trim();
      if (!entry) return;
      const host = hostFromEntry(entry);
      const shown = entry.length > 60 ? `${entry.slice(0, 57)}...` : entry;
      if (host === null) {
        errors.push(`Line ${index + 1}: "${shown}" is not a web site address.`);
      } else if (!hosts.includes(host)) {
        hosts.push(host);
      }
    });
    if (hosts.length > MAX_HOSTS) {
      errors.push(`At most ${MAX_HOSTS} sites fit in one list.`);
      hosts.length = MAX_HOSTS;
    }
    return { hosts, errors };
  }

  function hostFromEntry(entry) {
    let text = entry.replace(/^\*\./, '');
    // "mailto:x@example.com" is no site, though with https:// in front it parses as one.
    if (/^[a-z][a-z0-9+.-]*:(?!\/\/|\d+(?:\/|$))/i.test(text)) return null;
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `https://${text}`;
    let url;
    try {
      url = new URL(text);
    } catch {
      return null;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    if (url.username || url.password) return null;
    const host = url.hostname.replace(/\.$/, '');
    return HOST_PATTERN.test(host) ? host : null;
  }

  function hostListed(host, list) {
    return list.some((entry) => host === entry || host.endsWith(`.${entry}`));
  }

  /** 'off', 'links' (take over tel: links only) or 'detect' (links and numbers in text). */
  function modeFor(pageUrl, settings) {
    let host;
    try {
      host = new URL(pageUrl).hostname.toLowerCase().replace(/\.$/, '');
    } catch {
      return 'off';
    }
    if (hostListed(host, settings.deny)) return 'off';
    if (hostListed(host, settings.allow)) return 'detect';
    return settings.detect ? 'detect' : 'links';
  }

  /** The region numbers without a country code are read in: the chosen one, else the browser's. */
  function regionFor(settings, languages, isSupported) {
    if (settings.region && isSupported(settings.region)) return settings.region;
    for (const tag of languages || []) {
      const match = /^[a-z]{2,3}[-_](?:[A-Za-z]{4}[-_])?([A-Za-z]{2})\b/.exec(String(tag));
      if (match && isSupported(match[1].toUpperCase())) return match[1].toUpperCase();
    }
    return 'US';
  }

  // storage.sync follows the user to their other browsers; where the browser has no sync
  // storage (or it fails), the settings stay on this machine instead.
  async function load(api) {
    try {
      return normalize(await api.storage.sync.get(null));
    } catch {
      return normalize(await api.storage.local.get(null));
    }
  }

  async function save(api, settings) {
    const value = normalize(settings);
    try {
      await api.storage.sync.set(value);
    } catch {
      await api.storage.local.set(value);
    }
    return value;
  }

  ns.settings = Object.freeze({
    DEFAULTS,
    load,
    save,
    MAX_HOSTS,
    normalize,
    parseHostList,
    modeFor,
    regionFor,
  });
})(globalThis);
