/**
 * An in-memory browser extension API (the parts this extension uses), so the content
 * scripts, background, popup and options page run in tests as they do in a browser: messages
 * are copied between sides (structuredClone, as the browser serialises them), storage fires
 * onChanged, and runtime.sendNativeMessage goes to a fake native host the test supplies.
 *
 * One fake is shared by every side of one test: the background's listeners receive what a
 * page's content script sends, and tabs.sendMessage reaches the content scripts of a tab.
 */

const NO_RECEIVER = 'Could not establish connection. Receiving end does not exist.';

function makeEvent() {
  const listeners = [];
  return {
    listeners,
    addListener: (fn) => listeners.push(fn),
    removeListener: (fn) => listeners.splice(listeners.indexOf(fn) >>> 0, 1),
    hasListener: (fn) => listeners.includes(fn),
    dispatch: (...args) => listeners.map((fn) => fn(...args)),
  };
}

/** Delivers a message as the browser does: the first listener to answer wins. */
function deliver(event, message, sender) {
  return new Promise((resolve) => {
    let answered = false;
    let waiting = 0;
    const sendResponse = (value) => {
      if (answered) return;
      answered = true;
      resolve(value === undefined ? undefined : structuredClone(value));
    };
    for (const listener of event.listeners) {
      const keep = listener(structuredClone(message), sender, sendResponse);
      if (keep === true) waiting += 1;
    }
    if (!waiting && !answered) resolve(undefined);
  });
}

function makeStorageArea(areaName, onChanged, fail) {
  let data = {};
  return {
    async get(keys) {
      if (fail()) throw new Error(`storage.${areaName} is not available`);
      if (keys === null || keys === undefined) return structuredClone(data);
      const wanted = Array.isArray(keys) ? keys : [keys];
      return Object.fromEntries(wanted.filter((key) => key in data).map((key) => [key, structuredClone(data[key])]));
    },
    async set(items) {
      if (fail()) throw new Error(`storage.${areaName} is not available`);
      const changes = {};
      for (const [key, value] of Object.entries(items)) {
        changes[key] = { oldValue: data[key], newValue: structuredClone(value) };
        data = { ...data, [key]: structuredClone(value) };
      }
      onChanged.dispatch(changes, areaName);
    },
    /** Test helper: puts raw values in, as a user or an old version might have left them. */
    _raw(value) {
      data = value;
    },
  };
}

/**
 * @param {object} [options]
 * @param {(name: string, message: object) => unknown} [options.nativeHost] answers native
 *   messages (may return a promise or throw, as a missing host makes the browser do)
 */
export function createBrowser(options = {}) {
  const nativeHost = options.nativeHost ?? (() => ({ ok: true, state: 'ready' }));
  const nativeMessages = [];
  const onMessage = makeEvent();
  const storageChanged = makeEvent();
  const tabs = new Map(); // tab id -> {url, listeners (content scripts' onMessage events)}
  const badges = new Map();
  const titles = new Map();
  const menus = new Map();
  let syncFails = false;
  let nextTab = 1;

  const runtime = {
    id: 'dgnciapcpmfcibaegabblaimnlgfaepb',
    onMessage,
    onInstalled: makeEvent(),
    onStartup: makeEvent(),
    optionsOpened: 0,
    async openOptionsPage() {
      runtime.optionsOpened += 1;
    },
    async sendNativeMessage(name, message) {
      nativeMessages.push({ name, message: structuredClone(message) });
      return structuredClone(await nativeHost(name, structuredClone(message)));
    },
    async sendMessage(message) {
      return deliver(onMessage, message, { id: runtime.id, url: 'chrome-extension://popup' });
    },
  };

  const api = {
    runtime,
    storage: {
      onChanged: storageChanged,
      sync: makeStorageArea('sync', storageChanged, () => syncFails),
      local: makeStorageArea('local', storageChanged, () => false),
    },
    contextMenus: {
      onClicked: makeEvent(),
      async removeAll() {
        menus.clear();
      },
      create(item) {
        if (menus.has(item.id)) throw new Error(`Cannot create item with duplicate id ${item.id}`);
        menus.set(item.id, structuredClone(item));
        return item.id;
      },
    },
    commands: { onCommand: makeEvent() },
    tabs: {
      async sendMessage(tabId, message, frame) {
        const tab = tabs.get(tabId);
        const frames = tab ? tab.frames.filter((f) => !frame || f.frameId === frame.frameId) : [];
        if (!frames.length) throw new Error(NO_RECEIVER);
        for (const f of frames) {
          const answer = await deliver(f.onMessage, message, { id: runtime.id });
          if (answer !== undefined) return answer;
        }
        return undefined;
      },
      async query() {
        return [...tabs.entries()].slice(-1).map(([id, tab]) => ({ id, url: tab.url }));
      },
    },
    action: {
      async setBadgeText({ tabId, text }) {
        badges.set(tabId, text);
      },
      async setTitle({ tabId, title }) {
        titles.set(tabId, title);
      },
    },
  };

  return {
    api,
    nativeMessages,
    menus,
    badges,
    titles,
    /** A tab the extension cannot reach (a browser page, or one opened before install). */
    openBareTab(url) {
      const id = nextTab++;
      tabs.set(id, { url, frames: [] });
      return { id, url };
    },
    /**
     * The API a content script sees in one frame of a tab: its runtime.sendMessage reaches the
     * background with this frame as the sender, and tabs.sendMessage reaches its listeners.
     */
    contentApi(url, { tabId, frameId = 0 } = {}) {
      const id = tabId ?? nextTab++;
      if (!tabs.has(id)) tabs.set(id, { url, frames: [] });
      const frameEvent = makeEvent();
      const frame = { frameId, onMessage: frameEvent };
      tabs.get(id).frames.push(frame);
      // Each frame hears storage changes until it goes away, as a closed tab's scripts do.
      const frameStorageChanged = makeEvent();
      const forward = (...args) => frameStorageChanged.dispatch(...args);
      storageChanged.addListener(forward);
      const sender = { id: runtime.id, url, frameId, tab: { id, url: tabs.get(id).url } };
      return {
        tab: { id, url: tabs.get(id).url },
        api: {
          runtime: {
            id: runtime.id,
            onMessage: frameEvent,
            sendMessage: (message) => deliver(onMessage, message, sender),
          },
          storage: { sync: api.storage.sync, local: api.storage.local, onChanged: frameStorageChanged },
        },
        close() {
          storageChanged.removeListener(forward);
          const frames = tabs.get(id).frames;
          frames.splice(frames.indexOf(frame), 1);
        },
      };
    },
    failSyncStorage() {
      syncFails = true;
    },
  };
}
