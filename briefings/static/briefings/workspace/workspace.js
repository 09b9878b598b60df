// The annotation workspace: select words (mouse or keyboard), link them to an actor, event,
// quote or place; edit or delete annotations; accept or reject suggestions.
//
// The page is rendered by the server and works without this module. Every change goes through
// the editor API; afterwards the page is fetched again and its text and panel swapped in, so the
// server stays the only renderer of annotations.

import { Api, ApiError } from "./api.js";
import { Popover, combobox, field, h, select } from "./popover.js";
import {
  BodyText,
  pieces,
  select as showSelection,
  selectionSpan,
  snap,
  trimQuoteMarks,
  words,
} from "./text.js";

const KIND_NAMES = { actor: "actor", event: "event", quote: "quote", place: "place", date: "date" };
const SHORTCUTS = { a: "actor", e: "event", q: "quote", p: "place" };

class Workspace {
  constructor(root) {
    this.root = root;
    this.popover = new Popover(root.querySelector("#ws-popover"));
    this.lit = new Set();
    this.span = null; // the current selection in the body, UTF-16 [start, end], snapped
    this.pointerDown = false;
    this.load();
    this.api = new Api(this.data.api, root);
    this.bind();
  }

  // State ---------------------------------------------------------------------------------------

  load() {
    this.data = JSON.parse(this.root.querySelector("#ws-data").textContent);
    this.version = this.data.version;
    this.text = new BodyText(this.data.body);
    this.body = this.root.querySelector("#ws-body");
    this.pieces = pieces(this.body, this.text);
    this.words = words(this.data.body);
    this.items = new Map();
    for (const m of this.data.mentions) this.items.set(`m-${m.uid}`, { type: "mention", ...m });
    for (const s of this.data.suggestions) this.items.set(`s-${s.uid}`, { type: "suggestion", ...s });
    for (const target of this.lit) this.light(target, true);
  }

  get slug() {
    return this.data.slug;
  }

  say(message) {
    this.root.querySelector("#ws-status").textContent = message;
  }

  // Fetch the page again and swap in what the server renders now.
  async refresh(message) {
    const response = await fetch(window.location.pathname, { credentials: "same-origin" });
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const hadFocus = this.body.contains(document.activeElement) || document.activeElement === this.body;
    const editOpen = this.root.querySelector("#ws-edit")?.open;
    for (const id of ["ws-data", "ws-panel", "ws-edit", "ws-version"]) {
      const fresh = page.getElementById(id);
      const old = this.root.querySelector(`#${id}`);
      if (fresh && old) old.replaceWith(document.importNode(fresh, true));
    }
    const freshBody = page.getElementById("ws-body");
    if (freshBody) this.body.replaceChildren(...Array.from(freshBody.childNodes, (n) => document.importNode(n, true)));
    this.root.querySelector("#ws-form-error")?.remove();
    const edit = this.root.querySelector("#ws-edit");
    if (edit && editOpen) edit.open = true;
    this.load();
    if (hadFocus) this.body.focus({ preventScroll: true });
    if (this.span) showSelection(this.pieces, ...this.span);
    if (message) this.say(message);
  }

  // Run an API change; refresh on success, explain failures (a stale version reloads the page's
  // data so the next try is based on the current version).
  async change(run, done) {
    this.popover.error("");
    try {
      const result = await run();
      if (result && typeof result.version === "number") this.version = result.version;
      this.popover.close({ restoreFocus: false });
      await this.refresh(typeof done === "function" ? done(result) : done);
      return result;
    } catch (error) {
      const message =
        error instanceof ApiError && error.status === 409
          ? `${error.message} The page now shows the current version; try again.`
          : error.message;
      if (this.popover.isOpen) this.popover.error(message);
      this.say(message);
      if (error instanceof ApiError && error.status === 409) await this.refresh();
      return null;
    }
  }

  // Binding -------------------------------------------------------------------------------------

  bind() {
    const body = this.body;
    body.addEventListener("mousedown", () => {
      this.pointerDown = true;
    });
    body.addEventListener("mouseup", (event) => {
      this.pointerDown = false;
      setTimeout(() => this.afterPointer(event), 0);
    });
    body.addEventListener("focus", () => {
      if (!this.pointerDown && !this.currentSpan() && this.words.length) this.selectWord(0);
    });
    body.addEventListener("keydown", (event) => this.onKey(event));
    document.addEventListener("selectionchange", () => {
      const span = this.currentSpan();
      if (span) this.span = span;
    });
    this.root.addEventListener("click", (event) => this.onClick(event));
    this.root.addEventListener("submit", (event) => this.onSubmit(event));
    this.root.addEventListener("ws-error", (event) => this.popover.error(event.detail));
    document.addEventListener("mousedown", (event) => {
      if (this.popover.isOpen && !this.popover.el.contains(event.target) && !this.body.contains(event.target)) {
        this.popover.close({ restoreFocus: false });
      }
    });
  }

  currentSpan() {
    const raw = selectionSpan(this.body, this.pieces);
    return raw ? snap(this.data.body, raw[0], raw[1]) : null;
  }

  afterPointer(event) {
    const span = this.currentSpan();
    if (span) {
      this.span = span;
      this.chooser(span);
      return;
    }
    const mark = event.target.closest?.(".ws-m");
    if (mark && this.body.contains(mark)) this.openMarks(mark, mark.getBoundingClientRect());
  }

  onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const key = event.key;
    if (key === "ArrowRight" || key === "ArrowLeft" || key === "ArrowDown" || key === "ArrowUp") {
      event.preventDefault();
      this.moveWord(key, event.shiftKey);
      return;
    }
    const kind = SHORTCUTS[key.toLowerCase()];
    if (kind) {
      event.preventDefault();
      const span = this.currentSpan() || this.span;
      if (!span) {
        this.say("Select some words first.");
        return;
      }
      this.span = span;
      this.openKind(kind, span, { type: "create" });
      return;
    }
    if (key === "Enter") {
      const node = window.getSelection()?.anchorNode;
      const mark = (node?.nodeType === Node.TEXT_NODE ? node.parentElement : node)?.closest?.(".ws-m");
      if (mark && this.body.contains(mark)) {
        event.preventDefault();
        this.openMarks(mark, mark.getBoundingClientRect());
      } else if (this.span) {
        event.preventDefault();
        this.chooser(this.span);
      }
    }
  }

  // Keyboard selection, word by word.
  selectWord(index) {
    const [start, end] = this.words[index];
    this.span = [start, end];
    showSelection(this.pieces, start, end);
  }

  moveWord(key, extend) {
    const span = this.currentSpan() || this.span;
    const list = this.words;
    if (!list.length) return;
    if (!span) {
      this.selectWord(0);
      return;
    }
    const [start, end] = span;
    const after = list.findIndex(([s]) => s >= end);
    const beforeIndex = (() => {
      for (let i = list.length - 1; i >= 0; i -= 1) if (list[i][1] <= start) return i;
      return -1;
    })();
    if (key === "ArrowRight" || key === "ArrowLeft") {
      const forward = key === "ArrowRight";
      const index = forward ? after : beforeIndex;
      if (index < 0) return;
      if (extend) {
        this.span = forward ? [start, list[index][1]] : [list[index][0], end];
        showSelection(this.pieces, ...this.span);
      } else {
        this.selectWord(index);
      }
      return;
    }
    // Paragraphs: the first word after the next (or before the previous) blank line.
    const body = this.data.body;
    if (key === "ArrowDown") {
      const next = body.indexOf("\n\n", end);
      if (next < 0) return;
      const index = list.findIndex(([s]) => s > next);
      if (index >= 0) this.selectWord(index);
    } else {
      const here = body.lastIndexOf("\n\n", start);
      const previous = here <= 0 ? -1 : body.lastIndexOf("\n\n", here - 1);
      const index = list.findIndex(([s]) => s > previous);
      if (here > 0 && index >= 0) this.selectWord(index);
    }
  }

  light(target, on) {
    for (const mark of this.body.querySelectorAll(".ws-m")) {
      if (mark.dataset.target === target) mark.classList.toggle("ws-lit", on);
    }
    for (const button of this.root.querySelectorAll(".ws-target")) {
      if (button.dataset.target === target) button.setAttribute("aria-pressed", String(on));
    }
  }

  markFor(key) {
    return Array.from(this.body.querySelectorAll(".ws-m")).find((m) => m.dataset.key === key);
  }

  onClick(event) {
    const button = event.target.closest("button");
    if (!button || !this.root.contains(button)) return;
    if (button.classList.contains("ws-target")) {
      const target = button.dataset.target;
      const on = !this.lit.has(target);
      if (on) this.lit.add(target);
      else this.lit.delete(target);
      this.light(target, on);
      const first = Array.from(this.body.querySelectorAll(".ws-m")).find((m) => m.dataset.target === target);
      if (on && first) first.scrollIntoView({ block: "center", behavior: "smooth" });
      this.say(on ? `Highlighted every mention of ${button.firstChild.textContent.trim()}.` : "");
    } else if (button.classList.contains("ws-open")) {
      const mark = this.markFor(button.dataset.key);
      if (mark) mark.scrollIntoView({ block: "center" });
      this.openItem(button.dataset.key, (mark || button).getBoundingClientRect(), button);
    } else if (button.classList.contains("ws-replace")) {
      this.replaceOrphan(button.dataset.key);
    } else if (button.classList.contains("ws-delete")) {
      this.deleteMention(this.items.get(button.dataset.key));
    }
  }

  onSubmit(event) {
    const form = event.target;
    const what = form.dataset.ws;
    if (!what) return; // the text edit form posts to the server as it is
    event.preventDefault();
    if (what === "suggest") {
      this.say("Looking for suggestions…");
      this.change(() => this.api.post(`/briefings/${this.slug}/suggestions`), (r) => r.summary);
    } else if (what === "accept-all") {
      const kind = form.querySelector("[name=kind]").value;
      this.change(
        () => this.api.post(`/briefings/${this.slug}/suggestions/accept-all`, { version: this.version, kind }),
        (r) => r.summary,
      );
    } else if (what === "decide") {
      const submitter = event.submitter;
      const item = this.items.get(submitter.dataset.key);
      if (!item) return;
      if (submitter.value === "reject") this.rejectSuggestion(item);
      else if (submitter.dataset.needs === "event") this.openItem(submitter.dataset.key, submitter.getBoundingClientRect(), submitter);
      else this.acceptSuggestion(item, {});
    }
  }

  // Pop-ups ---------------------------------------------------------------------------------

  rect(span) {
    const a = this.pieces.find((p) => span[0] >= p.start && span[0] < p.end);
    return a ? a.el.getBoundingClientRect() : this.body.getBoundingClientRect();
  }

  exact(span) {
    return this.data.body.slice(span[0], span[1]);
  }

  chooser(span) {
    if (this.data.readOnly) {
      this.say("You can read this briefing's annotations but not change them.");
      return;
    }
    const words = this.exact(span);
    const buttons = Object.entries(SHORTCUTS).map(([key, kind]) =>
      h(
        "button",
        { type: "button", class: "button", "aria-keyshortcuts": key.toUpperCase(), onclick: () => this.openKind(kind, span, { type: "create" }) },
        h("span", { class: "ws-key", "aria-hidden": "true" }, key.toUpperCase()),
        ` ${kind[0].toUpperCase()}${kind.slice(1)}`,
      ),
    );
    this.popover.open({
      title: `Annotate “${short(words)}”`,
      rect: this.rect(span),
      opener: this.body,
      content: h("div", { class: "ws-choices" }, buttons),
    });
    // Keep the shortcut keys working while the chooser has focus.
    this.popover.el.querySelector(".ws-choices").addEventListener("keydown", (event) => {
      const kind = SHORTCUTS[event.key.toLowerCase()];
      if (kind && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        this.openKind(kind, span, { type: "create" });
      }
    });
  }

  // The marks under a click: one opens directly, several (a quote holding a name) offer a choice.
  openMarks(mark, rect) {
    const marks = [];
    for (let m = mark; m && this.body.contains(m); m = m.parentElement.closest(".ws-m")) marks.push(m);
    if (marks.length === 1) {
      this.openItem(marks[0].dataset.key, rect, this.body);
      return;
    }
    this.popover.open({
      title: "Which annotation?",
      rect,
      opener: this.body,
      content: h(
        "div",
        { class: "ws-choices" },
        marks.map((m) =>
          h("button", { type: "button", class: "button", onclick: () => this.openItem(m.dataset.key, rect, this.body) }, m.title),
        ),
      ),
    });
  }

  openItem(key, rect, opener) {
    const item = this.items.get(key);
    if (!item) return;
    if (item.type === "mention") this.mentionPopover(item, rect, opener);
    else this.suggestionPopover(item, rect, opener);
  }

  // Linking the selection ---------------------------------------------------------------------

  // mode: {type: "create"} links the selection; {type: "retarget", mention} changes a mention's
  // target; {type: "accept", suggestion} accepts an actor suggestion with another actor.
  openKind(kind, span, mode) {
    if (this.data.readOnly) {
      this.say("You can read this briefing's annotations but not change them.");
      return;
    }
    if (kind === "quote" && mode.type === "create") {
      this.quoteForm(span);
      return;
    }
    const finish = (id) => this.link(kind, id, span, mode);
    const text = span ? this.exact(span) : "";
    const rect = span ? this.rect(span) : null;
    const searchers = {
      actor: (q) => this.searchActors(q),
      event: (q) => this.searchEvents(q),
      place: (q) => this.searchPlaces(q),
    };
    const creators = {
      actor: (name) => this.createActorForm(name, finish),
      event: (title) => this.createEventForm(title, finish),
      place: (name) => this.createPlaceForm(name, finish),
    };
    const combo = combobox({
      label: `${cap(kind)} (name${kind === "actor" ? " or alias" : ""})`,
      value: kind === "event" ? "" : text,
      search: searchers[kind],
      extra: (q) => [{ label: `Create a new ${kind}${q ? ` “${q}”` : ""}…`, create: true }],
      // The name typed now, not when the list was drawn: typing may be ahead of the search.
      onPick: (option) => (option.create ? creators[kind](combo.input.value.trim() || text) : finish(option.value)),
      help: "↓ ↑ to choose, Enter to link.",
    });
    const title =
      mode.type === "retarget" ? `Link “${short(mode.mention.exact)}” to another ${kind}` : `Link “${short(text)}” to ${article(kind)} ${kind}`;
    this.popover.open({ title, rect, opener: this.body, content: h("div", {}, combo.element) });
  }

  async link(kind, id, span, mode) {
    if (mode.type === "retarget") {
      return this.change(
        () => this.api.patch(`/briefings/${this.slug}/mentions/${mode.mention.uid}`, { version: this.version, target: { kind, id } }),
        `Linked “${short(mode.mention.exact)}” to another ${kind}.`,
      );
    }
    if (mode.type === "accept") return this.acceptSuggestion(mode.suggestion, { actor: id });
    return this.createMention(span, kind, id);
  }

  createMention(span, kind, id) {
    const start = this.text.point(span[0]);
    const end = this.text.point(span[1]);
    const exact = this.exact(span);
    return this.change(
      () =>
        this.api.post(`/briefings/${this.slug}/mentions`, {
          version: this.version,
          start,
          end,
          exact,
          target: { kind, id },
        }),
      (r) => `Linked “${short(exact)}” to ${r.mention.target.label}.`,
    );
  }

  async searchActors(q) {
    let found = await this.api.get("/actors", { q, limit: 8 });
    const last = q.split(/\s+/).pop();
    if (!found.length && last && last !== q) found = await this.api.get("/actors", { q: last, limit: 8 });
    return found.map((a) => ({
      label: a.name,
      detail: [choiceLabel(this.data.choices.actorKinds, a.kind), a.role, a.aliases.length ? `also ${a.aliases.slice(0, 3).join(", ")}` : ""]
        .filter(Boolean)
        .join(" · "),
      value: a.slug,
    }));
  }

  async searchEvents(q) {
    const found = await this.api.get("/lookup/events", { q, limit: 8 });
    return found.map((e) => ({
      label: e.title,
      detail: [choiceLabel(this.data.choices.eventKinds, e.kind), e.date ? `${e.date} (${e.date_precision})` : "no date", e.place?.name]
        .filter(Boolean)
        .join(" · "),
      value: e.slug,
      date: e.date,
    }));
  }

  async searchPlaces(q) {
    const found = await this.api.get("/lookup/places", { q, limit: 8 });
    return found.map((p) => ({ label: p.name, detail: p.country, value: p.slug }));
  }

  formPopover(title, fields, submitLabel, onSubmit) {
    const form = h("form", { class: "ws-popover-form" }, fields, h("div", { class: "ws-actions" }, h("button", { type: "submit", class: "button default" }, submitLabel)));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      onSubmit(new FormData(form));
    });
    this.popover.open({ title, rect: null, opener: this.body, content: form });
    this.popover.place(this.span ? this.rect(this.span) : null);
    return form;
  }

  createActorForm(name, finish) {
    this.formPopover(
      "New actor",
      [
        field("Name", h("input", { name: "name", value: name, required: true, maxlength: 200 })),
        field("Kind", select("kind", this.data.choices.actorKinds, "person")),
        field("Role or title", h("input", { name: "role", maxlength: 200 }), "e.g. US Secretary of State"),
      ],
      "Create and link",
      async (data) => {
        try {
          const actor = await this.api.post("/actors", { name: data.get("name").trim(), kind: data.get("kind"), role: data.get("role").trim() });
          finish(actor.slug);
        } catch (error) {
          this.popover.error(error.message);
        }
      },
    );
  }

  createEventForm(title, finish) {
    const placeSelect = select("place", [["", "— no place —"]], "");
    this.searchPlaces("").then((places) => {
      for (const p of places) placeSelect.append(h("option", { value: p.value }, p.label));
    });
    this.formPopover(
      "New event",
      [
        field("Title", h("input", { name: "title", value: title, required: true, maxlength: 300 })),
        field("Kind", select("kind", this.data.choices.eventKinds, "meeting")),
        field("Date", h("input", { name: "date", type: "date" })),
        field("Place", placeSelect),
        field("Killed", h("input", { name: "fatalities", type: "number", min: 0 }), "Leave empty when the source gives no figure."),
        field("Injured", h("input", { name: "injured", type: "number", min: 0 })),
      ],
      "Create and link",
      async (data) => {
        const number = (name) => (data.get(name) === "" ? null : Number(data.get(name)));
        const payload = {
          title: data.get("title").trim(),
          kind: data.get("kind"),
          date: data.get("date") || null,
          date_precision: data.get("date") ? "day" : null,
          place: data.get("place") || null,
          fatalities: number("fatalities"),
          injured: number("injured"),
        };
        try {
          const event = await this.api.post("/events", payload);
          finish(event.slug);
        } catch (error) {
          this.popover.error(error.message);
        }
      },
    );
  }

  createPlaceForm(name, finish) {
    this.formPopover(
      "New place",
      [
        field("Name", h("input", { name: "name", value: name, required: true, maxlength: 200 })),
        field("Country", h("input", { name: "country", maxlength: 100 })),
      ],
      "Create and link",
      async (data) => {
        try {
          const place = await this.api.post("/places", { name: data.get("name").trim(), country: data.get("country").trim() });
          finish(place.slug);
        } catch (error) {
          this.popover.error(error.message);
        }
      },
    );
  }

  // A speaker picker: a combobox whose pick is kept in a hidden field.
  speakerPicker(initialSlug, initialName) {
    const hidden = h("input", { type: "hidden", name: "speaker", value: initialSlug || "" });
    const chosen = h("p", { class: "ws-chosen", "aria-live": "polite" }, initialSlug ? `Speaker: ${initialName}` : "Unattributed");
    const combo = combobox({
      label: "Speaker (name or alias; empty for unattributed)",
      value: initialName || "",
      search: (q) => (q ? this.searchActors(q) : Promise.resolve([])),
      extra: () => [{ label: "Unattributed", value: "", create: false, unattributed: true }],
      onPick: (option) => {
        hidden.value = option.value;
        combo.input.value = option.unattributed ? "" : option.label;
        chosen.textContent = option.value ? `Speaker: ${option.label}` : "Unattributed";
        combo.input.setAttribute("aria-expanded", "false");
        combo.element.querySelector("[role=listbox]").replaceChildren();
        const next = combo.element.closest("form")?.querySelector("[name=cue]");
        if (next) next.focus();
      },
    });
    combo.input.removeAttribute("data-autofocus");
    return h("div", {}, combo.element, hidden, chosen);
  }

  quoteForm(rawSpan) {
    const span = trimQuoteMarks(this.data.body, rawSpan[0], rawSpan[1]);
    const exact = this.exact(span);
    const kindGuess = /^[\p{Lu}[]/u.test(exact) && exact.split(/\s+/).length > 3 ? "direct" : "partial";
    const form = this.formPopover(
      `Quote “${short(exact)}”`,
      [
        this.speakerPicker("", ""),
        field("Cue", h("input", { name: "cue", maxlength: 50 }), "said, told, stressed, according to…"),
        field("Kind", select("kind", this.data.choices.quoteKinds, kindGuess)),
      ],
      "Save quote",
      async (data) => {
        try {
          const made = await this.api.post(`/briefings/${this.slug}/quotes`, {
            version: this.version,
            text: exact,
            speaker: data.get("speaker") || null,
            cue: data.get("cue").trim(),
            kind: data.get("kind"),
          });
          this.version = made.version;
          await this.createMention(span, "quote", made.quote.uid);
        } catch (error) {
          this.popover.error(error.message);
        }
      },
    );
    form.querySelector("input[role=combobox]").focus();
  }

  // Existing mentions -------------------------------------------------------------------------

  mentionPopover(m, rect, opener) {
    const note = h("textarea", { name: "note", rows: 2, maxlength: 500 }, m.note);
    const noteForm = h("form", { class: "ws-popover-form" }, field("Note", note, "e.g. mistranslation of secrétaire d'État"), h("button", { type: "submit", class: "button" }, "Save note"));
    noteForm.addEventListener("submit", (event) => {
      event.preventDefault();
      this.change(
        () => this.api.patch(`/briefings/${this.slug}/mentions/${m.uid}`, { version: this.version, note: note.value.trim() }),
        "Saved the note.",
      );
    });
    const actions = [];
    if (m.status === "suggested") {
      actions.push(
        h("button", { type: "button", class: "button default", onclick: () => this.change(() => this.api.post(`/briefings/${this.slug}/mentions/${m.uid}/accept`, { version: this.version }), "Accepted.") }, "Accept"),
        h("button", { type: "button", class: "button", onclick: () => this.change(() => this.api.post(`/briefings/${this.slug}/mentions/${m.uid}/reject`, { version: this.version }), "Rejected.") }, "Reject"),
      );
    }
    if (m.kind !== "quote") {
      actions.push(h("button", { type: "button", class: "button", onclick: () => this.openKind(m.kind, null, { type: "retarget", mention: m }) }, `Link to another ${m.kind}`));
    }
    actions.push(
      h(
        "button",
        {
          type: "button",
          class: "button ws-danger",
          disabled: !this.data.canDelete,
          title: this.data.canDelete ? null : "Deleting needs the delete_mention permission; reject or ask an Editor.",
          onclick: () => this.deleteMention(m),
        },
        "Delete",
      ),
    );
    this.popover.open({
      title: `${cap(KIND_NAMES[m.kind])}: ${m.label}`,
      rect,
      opener,
      content: h(
        "div",
        {},
        h("p", { class: "ws-quoted" }, `“${m.exact}”`),
        m.anchor === "orphaned" ? h("p", { class: "help" }, "Orphaned: its words are no longer in the text.") : null,
        m.reason ? h("p", { class: "help" }, `Suggested: ${m.reason}`) : null,
        noteForm,
        h("div", { class: "ws-actions" }, actions),
      ),
    });
  }

  deleteMention(m) {
    if (!m) return;
    this.change(
      () => this.api.delete(`/briefings/${this.slug}/mentions/${m.uid}`, { version: this.version }),
      `Deleted the annotation “${short(m.exact)}”.`,
    );
  }

  replaceOrphan(key) {
    const m = this.items.get(key);
    const span = this.span;
    if (!m || !span) {
      this.say("Select the words in the text first, then choose “Place on selection”.");
      return;
    }
    this.change(
      () =>
        this.api.patch(`/briefings/${this.slug}/mentions/${m.uid}`, {
          version: this.version,
          start: this.text.point(span[0]),
          end: this.text.point(span[1]),
          exact: this.exact(span),
        }),
      `Placed “${short(m.exact)}” on “${short(this.exact(span))}”.`,
    );
  }

  // Suggestions -------------------------------------------------------------------------------

  acceptSuggestion(s, options) {
    return this.change(
      () => this.api.post(`/briefings/${this.slug}/suggestions/${s.uid}/accept`, { version: this.version, ...options }),
      (r) => `Accepted “${short(s.exact)}” → ${r.mention.target.label}${r.event_dated ? ", and dated the event" : ""}.`,
    );
  }

  rejectSuggestion(s) {
    return this.change(
      () => this.api.post(`/briefings/${this.slug}/suggestions/${s.uid}/reject`),
      `Rejected the suggestion “${short(s.exact)}”.`,
    );
  }

  suggestionPopover(s, rect, opener) {
    const reject = h("button", { type: "button", class: "button", onclick: () => this.rejectSuggestion(s) }, "Reject");
    const why = h("p", { class: "help" }, `${s.reason} · confidence ${Number(s.confidence).toFixed(2)}`);
    let content;
    if (s.kind === "actor") {
      content = h(
        "div",
        {},
        why,
        h(
          "div",
          { class: "ws-actions" },
          h("button", { type: "button", class: "button default", onclick: () => this.acceptSuggestion(s, {}) }, `Accept: ${s.actorName}`),
          h("button", { type: "button", class: "button", onclick: () => this.openKind("actor", null, { type: "accept", suggestion: s }) }, "Another actor…"),
          reject,
        ),
      );
    } else if (s.kind === "quote") {
      const guess = s.reason.includes("only reports a discussion") ? "paraphrase" : s.value.quote_kind || "direct";
      const form = h(
        "form",
        { class: "ws-popover-form" },
        why,
        this.speakerPicker(s.actor, s.actorName),
        field("Cue", h("input", { name: "cue", value: s.value.cue || "", maxlength: 50 })),
        field("Kind", select("kind", this.data.choices.quoteKinds, guess)),
        h("div", { class: "ws-actions" }, h("button", { type: "submit", class: "button default" }, "Accept quote"), reject),
      );
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const data = new FormData(form);
        this.acceptSuggestion(s, { speaker: data.get("speaker") || null, cue: data.get("cue").trim(), quote_kind: data.get("kind") });
      });
      content = form;
    } else {
      const eventField = h("input", { type: "hidden", name: "event", value: s.event || "" });
      const fill = h("input", { type: "checkbox", name: "fill_date", id: "ws-fill-date", checked: true });
      const chosen = h("p", { class: "ws-chosen", "aria-live": "polite" }, s.event ? `Event: ${s.eventTitle}` : "No event chosen yet.");
      const combo = combobox({
        label: "Event this date belongs to",
        value: s.eventTitle || "",
        search: (q) => this.searchEvents(q),
        onPick: (option) => {
          eventField.value = option.value;
          combo.input.value = option.label;
          chosen.textContent = `Event: ${option.label}${option.date ? ` (dated ${option.date})` : " (no date yet)"}`;
          fill.checked = !option.date;
          combo.element.querySelector("[role=listbox]").replaceChildren();
          fill.focus();
        },
      });
      const form = h(
        "form",
        { class: "ws-popover-form" },
        why,
        combo.element,
        eventField,
        chosen,
        h("div", { class: "ws-field ws-check" }, fill, h("label", { for: "ws-fill-date" }, `Write ${s.value.date} (${s.value.precision}) into the event`)),
        h("div", { class: "ws-actions" }, h("button", { type: "submit", class: "button default" }, "Accept date"), reject),
      );
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        if (!eventField.value) {
          this.popover.error("Pick the event this date belongs to.");
          return;
        }
        this.acceptSuggestion(s, { event: eventField.value, fill_date: fill.checked });
      });
      content = form;
    }
    this.popover.open({ title: `Suggested ${s.kind}: “${short(s.exact)}”`, rect, opener, content });
  }
}

function short(text, limit = 50) {
  const flat = text.replace(/\s+/g, " ");
  return flat.length <= limit ? flat : `${flat.slice(0, limit - 1)}…`;
}

function cap(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function article(kind) {
  return /^[aeiou]/.test(kind) ? "an" : "a";
}

function choiceLabel(choices, key) {
  const found = choices.find(([k]) => k === key);
  return found ? found[1] : key;
}

const root = document.querySelector(".ws");
if (root && root.querySelector("#ws-data")) {
  root.classList.add("ws-enhanced");
  window.briefingsWorkspace = new Workspace(root);
}

export { Workspace };
