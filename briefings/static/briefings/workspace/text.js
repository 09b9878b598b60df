// Offsets between the article body, the page and the server.
//
// The server counts offsets in code points (Python string indices); JavaScript strings count
// UTF-16 units. Every piece of text on the page is a `.ws-t` element whose data-s is the code
// point offset where it starts, so a DOM position maps to a body offset without reading the
// page's text (which also holds kind letters and screen-reader labels that are not the body).

export class BodyText {
  constructor(body) {
    this.body = body;
    // toUnit[cp] = UTF-16 index of code point cp; toPoint[unit] = code point holding that unit.
    this.toUnit = [];
    this.toPoint = new Array(body.length + 1);
    let unit = 0;
    let point = 0;
    for (const ch of body) {
      this.toUnit.push(unit);
      for (let i = 0; i < ch.length; i += 1) this.toPoint[unit + i] = point;
      unit += ch.length;
      point += 1;
    }
    this.toUnit.push(unit);
    this.toPoint[unit] = point;
  }

  unit(point) {
    return this.toUnit[Math.max(0, Math.min(point, this.toUnit.length - 1))];
  }

  point(unit) {
    return this.toPoint[Math.max(0, Math.min(unit, this.body.length))];
  }

  // Code point span -> the text it covers.
  slice(start, end) {
    return this.body.slice(this.unit(start), this.unit(end));
  }
}

const WORD = /[\p{L}\p{N}]/u;
const JOINER = /['’\-‐‑]/u;

function isWord(text, i) {
  return i >= 0 && i < text.length && WORD.test(text[i]);
}

// A word character, or a hyphen/apostrophe between two word characters ("al-Sissi", "Israel's").
function inWord(text, i) {
  if (isWord(text, i)) return true;
  return JOINER.test(text[i] || "") && isWord(text, i - 1) && isWord(text, i + 1);
}

// Widen a UTF-16 span to whole words and trim white space at its ends.
export function snap(text, start, end) {
  let a = Math.min(start, end);
  let b = Math.max(start, end);
  while (a < b && /\s/u.test(text[a])) a += 1;
  while (b > a && /\s/u.test(text[b - 1])) b -= 1;
  if (a === b) return null;
  while (a > 0 && inWord(text, a - 1) && inWord(text, a)) a -= 1;
  while (b < text.length && inWord(text, b) && inWord(text, b - 1)) b += 1;
  return [a, b];
}

// Quote spans leave out the quotation marks around the words, and the comma or colon the
// reporting sentence puts inside them ("…terms," he said).
export function trimQuoteMarks(text, start, end) {
  let a = start;
  let b = end;
  while (a < b && /["“”«»\s]/u.test(text[a])) a += 1;
  while (b > a && /["“”«»\s,;:]/u.test(text[b - 1])) b -= 1;
  return a < b ? [a, b] : [start, end];
}

// Start and end (UTF-16) of the words of the body, in order.
export function words(text) {
  const found = [];
  let i = 0;
  while (i < text.length) {
    if (inWord(text, i)) {
      const s = i;
      while (i < text.length && inWord(text, i)) i += 1;
      found.push([s, i]);
    } else {
      i += 1;
    }
  }
  return found;
}

// The page's text pieces, with their UTF-16 start and end in the body.
export function pieces(root, text) {
  return Array.from(root.querySelectorAll(".ws-t"), (el) => {
    const start = text.unit(Number(el.dataset.s));
    return { el, start, end: start + el.textContent.length };
  });
}

// A DOM boundary point inside the body container -> UTF-16 offset into the body.
export function offsetOf(root, list, node, offset) {
  const holder = (node.nodeType === Node.TEXT_NODE ? node.parentElement : node)?.closest?.(".ws-t");
  if (holder && root.contains(holder) && node.nodeType === Node.TEXT_NODE) {
    const piece = list.find((p) => p.el === holder);
    if (piece) return piece.start + Math.min(offset, holder.textContent.length);
  }
  // Elsewhere (a kind letter, between elements): the start of the first piece after the point.
  const point = document.createRange();
  point.setStart(node, offset);
  for (const p of list) {
    if (point.comparePoint(p.el, 0) >= 0) return p.start;
  }
  return list.length ? list[list.length - 1].end : 0;
}

// UTF-16 offset -> DOM boundary point (text node and offset) inside the piece that holds it.
export function pointAt(list, offset, preferEnd = false) {
  for (const p of list) {
    const inside = preferEnd ? offset > p.start && offset <= p.end : offset >= p.start && offset < p.end;
    if (inside) return [p.el.firstChild, offset - p.start];
  }
  const last = list[list.length - 1];
  return last ? [last.el.firstChild, last.el.textContent.length] : null;
}

// The current selection as a UTF-16 span of the body, or null when it is not in the body.
export function selectionSpan(root, list) {
  const sel = window.getSelection();
  if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
  const range = sel.getRangeAt(0);
  if (!root.contains(range.startContainer) || !root.contains(range.endContainer)) return null;
  const a = offsetOf(root, list, range.startContainer, range.startOffset);
  const b = offsetOf(root, list, range.endContainer, range.endOffset);
  return a === b ? null : [Math.min(a, b), Math.max(a, b)];
}

// Show a UTF-16 span as the page's selection.
export function select(list, start, end) {
  const a = pointAt(list, start);
  const b = pointAt(list, end, true);
  if (!a || !b || !a[0] || !b[0]) return;
  window.getSelection().setBaseAndExtent(a[0], a[1], b[0], b[1]);
}
