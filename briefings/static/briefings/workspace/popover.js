// The workspace pop-up and its small form pieces: built with DOM calls (never HTML strings), so
// names and quoted words from the database are always text.

let uid = 0;
export function nextId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function field(label, input, help) {
  if (!input.id) input.id = nextId("ws-field");
  const helpEl = help ? h("span", { class: "help", id: nextId("ws-help") }, help) : null;
  if (helpEl) input.setAttribute("aria-describedby", helpEl.id);
  return h("div", { class: "ws-field" }, h("label", { for: input.id }, label), input, helpEl);
}

export function select(name, choices, value) {
  return h(
    "select",
    { name },
    choices.map(([key, label]) => h("option", { value: key, selected: key === value }, label)),
  );
}

export class Popover {
  constructor(el) {
    this.el = el;
    this.opener = null;
    el.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        this.close();
      }
    });
  }

  get isOpen() {
    return !this.el.hidden;
  }

  open({ title, rect, opener, content }) {
    this.opener = opener || document.activeElement;
    const titleId = "ws-popover-title";
    this.errorEl = h("p", { class: "ws-error", role: "alert" });
    this.el.replaceChildren(
      h(
        "div",
        { class: "ws-popover-head" },
        h("h2", { id: titleId }, title),
        h("button", { type: "button", class: "ws-close", "aria-label": "Close", onclick: () => this.close() }, "×"),
      ),
      this.errorEl,
      content,
    );
    this.el.hidden = false;
    this.place(rect);
    const first = this.el.querySelector("[data-autofocus], input:not([type=hidden]), select, textarea, button:not(.ws-close)");
    if (first) first.focus();
  }

  place(rect) {
    const width = Math.min(this.el.offsetWidth || 360, window.innerWidth - 16);
    let left = rect ? rect.left + window.scrollX : window.scrollX + 40;
    left = Math.max(window.scrollX + 8, Math.min(left, window.scrollX + window.innerWidth - width - 8));
    const top = rect ? rect.bottom + window.scrollY + 8 : window.scrollY + 80;
    this.el.style.left = `${left}px`;
    this.el.style.top = `${top}px`;
  }

  error(message) {
    if (this.errorEl) this.errorEl.textContent = message || "";
  }

  close({ restoreFocus = true } = {}) {
    if (this.el.hidden) return;
    this.el.hidden = true;
    this.el.replaceChildren();
    if (restoreFocus && this.opener && document.contains(this.opener)) this.opener.focus();
    this.opener = null;
  }
}

// A text box with a list of matches under it (the ARIA 1.2 combobox pattern). `search(text)`
// returns [{label, detail, value}]; `extra(text)` adds options such as "Create new …".
export function combobox({ label, value = "", search, extra, onPick, help }) {
  const listId = nextId("ws-list");
  const input = h("input", {
    type: "text",
    role: "combobox",
    "aria-expanded": "false",
    "aria-controls": listId,
    "aria-autocomplete": "list",
    autocomplete: "off",
    value,
    "data-autofocus": true,
  });
  const list = h("ul", { id: listId, role: "listbox", class: "ws-options", "aria-label": label });
  let options = [];
  let active = -1;
  let seq = 0;

  function setActive(index) {
    active = index;
    list.querySelectorAll("[role=option]").forEach((el, i) => {
      el.setAttribute("aria-selected", String(i === index));
      if (i === index) {
        input.setAttribute("aria-activedescendant", el.id);
        el.scrollIntoView({ block: "nearest" });
      }
    });
    if (index < 0) input.removeAttribute("aria-activedescendant");
  }

  function render() {
    list.replaceChildren(
      ...options.map((option, i) =>
        h(
          "li",
          {
            id: `${listId}-${i}`,
            role: "option",
            class: option.create ? "ws-option ws-create" : "ws-option",
            "aria-selected": "false",
            onmousedown: (event) => event.preventDefault(),
            onclick: () => onPick(option),
          },
          h("span", { class: "ws-option-label" }, option.label),
          option.detail ? h("span", { class: "ws-option-detail" }, option.detail) : null,
        ),
      ),
    );
    input.setAttribute("aria-expanded", String(options.length > 0));
    setActive(options.length ? 0 : -1);
  }

  async function update() {
    const mine = (seq += 1);
    const text = input.value.trim();
    let found = [];
    try {
      found = await search(text);
    } catch (error) {
      found = [];
      input.dispatchEvent(new CustomEvent("ws-error", { bubbles: true, detail: error.message }));
    }
    if (mine !== seq) return;
    options = [...found, ...(extra ? extra(text) : [])];
    render();
  }

  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(update, 150);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && options.length) {
      event.preventDefault();
      setActive((active + 1) % options.length);
    } else if (event.key === "ArrowUp" && options.length) {
      event.preventDefault();
      setActive((active - 1 + options.length) % options.length);
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (active >= 0 && options[active]) onPick(options[active]);
    }
  });
  update();
  return { element: h("div", { class: "ws-combo" }, field(label, input, help), list), input, refresh: update };
}
