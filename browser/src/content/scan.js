/**
 * Finds phone numbers in a page's text and puts a call button after each, without changing
 * the page's text.
 *
 * Why a button after the text node, and not a wrapper around the number: pages built with
 * React, Vue, Angular and the like keep references to their text nodes and later write into
 * them (node.nodeValue = ...). Splitting a text node to wrap the number would leave the
 * framework writing into a fragment, with stale text beside it. An overlay layer above the
 * page avoids touching the page at all, but has to read the layout of every number (a forced
 * reflow each, slow on a 5,000-row table) and follow every scroll of every nested scroller. So
 * text nodes are never split, edited or moved: the button, an element with no text of its own
 * (its label lives in a closed shadow root), goes right after the text node holding the
 * number's last character, and document.body.textContent stays identical.
 *
 * How text is read: each block (a table cell, paragraph, list item, div...) is read as the
 * text of its inline content joined up, so a number split across elements
 * (<span>+1 212</span> <span>555 0100</span>) is found as one. Block boundaries, line breaks
 * and skipped elements become line breaks, which end a number. Block-ness comes from the tag
 * name, not getComputedStyle, because reading computed styles of every element costs a style
 * recalculation per element on large pages; custom elements count as inline.
 *
 * Skipped, with everything inside: form fields, buttons, editable areas, code and pre, script
 * and style, SVG and MathML, frames and media, existing links (a tel: link is taken over by
 * links.js instead), and this extension's own elements.
 *
 * Buttons are made during idle slices but put into the page in batches, while work goes on
 * at most every FLUSH_GAP_MS or twice as long as the last batch took the browser to lay
 * out, whichever is longer, and at once when the work ends: each insertion makes the browser
 * lay out the whole table again (about 100 ms for 5,000 rows in Chromium, whatever the number
 * of buttons), so 20 buttons per slice would mean hundreds of such layouts. A batch holds at
 * most MAX_BATCH buttons, because each new button costs the browser about 0.1 ms to style and
 * lay out, and 5,000 at once would make one frame of half a second.
 *
 * Every number must be valid for its country (libphonenumber-js with its full metadata, the
 * user's region for numbers without a country code). A run of bare digits right after an ID
 * word ("Order 2015550123", "#2125550100") is not taken for a number.
 */
(function (root) {
  'use strict';
  const ns = (root.DialerGui = root.DialerGui || {});

  const HOST_TAG = 'dialer-gui-call';
  const OWN_TAGS = new Set([HOST_TAG, 'dialer-gui-status']);
  const INLINE = new Set([
    'a', 'abbr', 'b', 'bdi', 'bdo', 'big', 'cite', 'data', 'del', 'dfn', 'em', 'font', 'i',
    'ins', 'label', 'mark', 'nobr', 'q', 's', 'small', 'span', 'strike', 'strong', 'sub',
    'sup', 'time', 'tt', 'u',
  ]);
  const SKIPPED = new Set([
    'input', 'textarea', 'select', 'option', 'optgroup', 'button', 'script', 'style',
    'noscript', 'template', 'code', 'pre', 'kbd', 'samp', 'var', 'svg', 'math', 'iframe',
    'frame', 'object', 'embed', 'canvas', 'video', 'audio', 'head', 'title', 'area', 'map',
  ]);
  const BREAK = '\n';
  // Bounds on one block, so one giant block cannot take a long task.
  const MAX_SEGMENTS = 5000;
  const MAX_BLOCK_TEXT = 100000;
  const WINDOW = 4000;
  const FLUSH_GAP_MS = 250;
  const MAX_BATCH = 500;
  const OVERLAP = 64;
  // Bare digits right after one of these are an identifier, not a number to call.
  const ID_BEFORE = /(?:#|\b(?:no|nr|num|id|ref|order|invoice|inv|account|acct|ticket|case|po|sku|serial|tracking|customer|isbn|iban)\.?)\s*[:#-]?\s*$/i;

  const ELEMENT = 1;
  const TEXT = 3;

  function isOwn(node) {
    return node.nodeType === ELEMENT && OWN_TAGS.has(node.localName);
  }

  function isSkipped(element) {
    const name = element.localName;
    if (SKIPPED.has(name)) return true;
    if (name === 'a' && element.hasAttribute('href')) return true;
    const editable = element.getAttribute('contenteditable');
    if (editable !== null && editable.toLowerCase() !== 'false') return true;
    return element.getAttribute('role') === 'textbox';
  }

  function isBlock(element) {
    const name = element.localName;
    return !INLINE.has(name) && !name.includes('-');
  }

  /** The block whose text holds node, or null when node sits inside something skipped. */
  function blockOf(node) {
    let block = null;
    for (let current = node.nodeType === ELEMENT ? node : node.parentNode; current; current = current.parentNode) {
      if (current.nodeType !== ELEMENT) break;
      if (isOwn(current) || isSkipped(current)) return null;
      if (!block && isBlock(current)) block = current;
    }
    return block;
  }

  function enoughDigits(text) {
    const digits = /\p{Nd}/gu;
    for (let count = 0; digits.exec(text); ) if (++count >= 5) return true;
    return false;
  }

  /**
   * Every valid number in text, as {start, end, number}: offsets into text, number a
   * libphonenumber-js PhoneNumber. Pure, for tests and the benchmark too.
   */
  function findInText(text, region, lib) {
    if (!enoughDigits(text)) return [];
    // Commas and semicolons separate numbers in lists ("212-555-0100,212-555-0101"); the
    // library would read the second as an extension of the first. Same length: offsets hold.
    const prepared = text.replace(/[,;]/g, BREAK);
    const found = [];
    let lastEnd = -1;
    for (let offset = 0; offset < prepared.length; offset += WINDOW - OVERLAP) {
      const slice = prepared.slice(offset, offset + WINDOW);
      for (const match of lib.findPhoneNumbersInText(slice, { defaultCountry: region, v2: true })) {
        const start = offset + match.startsAt;
        const end = offset + match.endsAt;
        if (start < lastEnd) continue; // already found in the window before (the overlap)
        if (prepared.slice(start, end).includes(BREAK)) continue;
        if (/^\p{Nd}+$/u.test(text.slice(start, end)) && ID_BEFORE.test(text.slice(Math.max(0, start - 24), start))) {
          continue;
        }
        found.push({ start, end, number: match.number });
        lastEnd = end;
      }
      if (offset + WINDOW >= prepared.length) break;
    }
    return found;
  }

  /**
   * @param {object} options
   * @param {Document} options.doc
   * @param {object} options.lib libphonenumber-js (its max bundle)
   * @param {() => string} options.region the region for numbers without a country code
   * @param {object} options.scheduler from createScheduler
   * @param {(number: object) => Element} options.makeButton a call button host for a number
   */
  function createScanner(options) {
    const { doc, lib, scheduler, makeButton } = options;
    const placed = new WeakMap(); // button host -> {anchor, number}
    const pendingDeep = new Set();
    const pendingShallow = new Set();
    const view = doc.defaultView;
    const waiting = new Map(); // block -> buttons made but not yet in the page
    let flushTimer = 0;
    let lastFlush = -Infinity;
    let lastFlushCost = 0;
    let idleHooked = false;
    let observer = null;
    let running = false;

    /** Reads the inline text of block; queues its nested blocks when deep. */
    function readBlock(block, nested) {
      const segments = [];
      const buttons = [];
      let text = '';
      let node = block.firstChild;
      while (node) {
        let descend = false;
        if (node.nodeType === TEXT) {
          const value = node.nodeValue;
          if (value && segments.length < MAX_SEGMENTS && text.length + value.length <= MAX_BLOCK_TEXT) {
            segments.push({ node, start: text.length, end: text.length + value.length });
            // Source line breaks and tabs render as spaces; same length, offsets hold.
            text += value.replace(/[\t\n\r\f\v]/g, ' ');
          }
        } else if (node.nodeType === ELEMENT) {
          if (isOwn(node)) {
            if (node.localName === HOST_TAG) buttons.push(node);
          } else if (isSkipped(node) || node.localName === 'br') {
            text += BREAK;
          } else if (isBlock(node)) {
            text += BREAK;
            if (nested) nested.push(node);
          } else {
            descend = true;
          }
        }
        if (descend && node.firstChild) {
          node = node.firstChild;
        } else {
          while (node && node !== block && !node.nextSibling) node = node.parentNode;
          node = node && node !== block ? node.nextSibling : null;
        }
      }
      return { segments, buttons, text };
    }

    function segmentAt(segments, index) {
      let low = 0;
      let high = segments.length - 1;
      while (low <= high) {
        const middle = (low + high) >> 1;
        const segment = segments[middle];
        if (index < segment.start) high = middle - 1;
        else if (index >= segment.end) low = middle + 1;
        else return segment;
      }
      return null;
    }

    /** Puts every waiting button into the page, each right after its number's text. */
    function flush() {
      view.clearTimeout(flushTimer);
      flushTimer = 0;
      const started = view.performance.now();
      lastFlush = started;
      // How long the browser took to show this batch: until a task after its next frame.
      if (typeof view.requestAnimationFrame === 'function') {
        view.requestAnimationFrame(() =>
          view.setTimeout(() => {
            lastFlushCost = view.performance.now() - started;
          }, 0),
        );
      }
      let inserted = 0;
      for (const [block, entries] of waiting) {
        if (inserted >= MAX_BATCH) break;
        waiting.delete(block);
        for (const { anchor, button } of entries) {
          if (!anchor.parentNode) continue; // gone meanwhile; its block is read again
          let after = anchor;
          while (after.nextSibling && isOwn(after.nextSibling) && after.nextSibling.localName === HOST_TAG) {
            after = after.nextSibling;
          }
          after.after(button);
          inserted += 1;
        }
      }
      if (waiting.size) flushSoon();
    }

    function flushSoon() {
      if (!flushTimer) {
        const gap = Math.max(FLUSH_GAP_MS, 2 * lastFlushCost);
        const wait = Math.max(0, gap - (view.performance.now() - lastFlush));
        flushTimer = view.setTimeout(flush, wait);
      }
      if (!idleHooked) {
        idleHooked = true;
        scheduler.whenIdle().then(() => {
          idleHooked = false;
          // The work is done: the next batch need not wait for more to gather.
          if (waiting.size && running && view.performance.now() - lastFlush >= FLUSH_GAP_MS) flush();
        });
      }
    }

    /** Makes the buttons after block's text match the numbers in it, touching nothing else. */
    function annotate(block, nested) {
      const { segments, buttons, text } = readBlock(block, nested);
      const wanted = [];
      for (const match of findInText(text, options.region(), lib)) {
        const segment = segmentAt(segments, match.end - 1);
        if (segment) wanted.push({ anchor: segment.node, number: match.number });
      }
      const queued = waiting.get(block) || [];
      waiting.delete(block);
      const claim = (button) => {
        const info = placed.get(button);
        const same = wanted.find(
          (item) => !item.button && info && item.anchor === info.anchor && item.number.number === info.number.number,
        );
        if (same) same.button = button;
        return Boolean(same);
      };
      for (const button of buttons) if (!claim(button)) button.remove();
      const stillWaiting = queued.filter((entry) => claim(entry.button));
      for (const item of wanted) {
        if (item.button) continue;
        const button = makeButton(item.number);
        placed.set(button, { anchor: item.anchor, number: item.number });
        stillWaiting.push({ anchor: item.anchor, button });
      }
      if (stillWaiting.length) {
        waiting.set(block, stillWaiting);
        flushSoon();
      }
    }

    function* scanTree(start) {
      // A queue read by index: shift() would copy the array each time (thousands of cells).
      const blocks = [start];
      for (let next = 0; next < blocks.length && running; next += 1) {
        const block = blocks[next];
        blocks[next] = null;
        pendingDeep.delete(block);
        if (block.isConnected && (block === start ? blockOf(block) === block : true)) annotate(block, blocks);
        yield;
      }
    }

    function scanOne(block) {
      pendingShallow.delete(block);
      if (running && block.isConnected && blockOf(block) === block) annotate(block, null);
    }

    function scanInside(element) {
      // An inline element arrived: its text belongs to its block (queued apart), its nested
      // blocks are new and scanned whole.
      const found = [];
      readBlock(element, found);
      for (const block of found) queueDeep(block);
    }

    function queueDeep(block) {
      if (pendingDeep.has(block)) return;
      pendingDeep.add(block);
      scheduler.add(scanTree, block);
    }

    function queueShallow(node) {
      const block = blockOf(node);
      if (!block || pendingDeep.has(block) || pendingShallow.has(block)) return;
      pendingShallow.add(block);
      scheduler.add(scanOne, block);
    }

    function onMutations(records) {
      for (const record of records) {
        if (record.type === 'characterData') {
          queueShallow(record.target);
          continue;
        }
        for (const node of record.addedNodes) {
          if (isOwn(node)) continue;
          if (node.nodeType === ELEMENT && isBlock(node)) {
            if (blockOf(node) === node) queueDeep(node);
          } else {
            queueShallow(record.target);
            if (node.nodeType === ELEMENT && node.firstElementChild) scheduler.add(scanInside, node);
          }
        }
        for (const node of record.removedNodes) {
          if (!isOwn(node)) queueShallow(record.target);
        }
      }
    }

    return {
      start() {
        if (running) return;
        running = true;
        const top = doc.body || doc.documentElement;
        if (!top) return;
        observer = new doc.defaultView.MutationObserver(onMutations);
        observer.observe(doc.documentElement, { childList: true, subtree: true, characterData: true });
        queueDeep(top);
      },
      /** Stops looking and removes every button this scanner placed. */
      stop() {
        running = false;
        if (observer) observer.disconnect();
        observer = null;
        pendingDeep.clear();
        pendingShallow.clear();
        waiting.clear();
        view.clearTimeout(flushTimer);
        flushTimer = 0;
        scheduler.clear();
        for (const button of doc.querySelectorAll(HOST_TAG)) button.remove();
      },
      /** Reads the whole page again (the region changed). */
      restart() {
        this.stop();
        this.start();
      },
      /** Resolves once every queued block is read and its buttons are in the page. */
      async whenIdle() {
        await scheduler.whenIdle();
        while (waiting.size) flush();
      },
      get running() {
        return running;
      },
    };
  }

  ns.scan = Object.freeze({ HOST_TAG, findInText, createScanner, isSkipped, blockOf });
})(globalThis);
