// Names as one types in a text field marked data-suggest="<API list URL>" (the home page's actor
// filter): the public API's matches fill a <datalist>, which the browser shows under the field.
//
// The field works without this script: the server resolves a typed name, and explains a name it
// cannot resolve with actors to choose from.

const DELAY_MS = 200;
const LIMIT = 8;
const MIN_LENGTH = 2;

function enhance(input) {
  const list = document.createElement("datalist");
  list.id = `${input.id}-suggestions`;
  input.after(list);
  input.setAttribute("list", list.id);
  let timer = 0;
  let pending = null;

  async function suggest(text) {
    pending?.abort();
    if (text.length < MIN_LENGTH) {
      list.replaceChildren();
      return;
    }
    pending = new AbortController();
    const query = new URLSearchParams({ q: text, limit: String(LIMIT) });
    let items;
    try {
      const response = await fetch(`${input.dataset.suggest}?${query}`, {
        signal: pending.signal,
        headers: { Accept: "application/json" },
      });
      // A refused or failed lookup leaves the field as it is: typing still works.
      if (!response.ok) return;
      ({ items } = await response.json());
    } catch (error) {
      if (error.name === "AbortError") return;
      throw error;
    }
    const seen = new Set();
    list.replaceChildren(
      ...items
        .filter((actor) => !seen.has(actor.name) && seen.add(actor.name))
        .map((actor) => {
          const option = document.createElement("option");
          option.value = actor.name;
          if (actor.role) option.label = actor.role;
          return option;
        }),
    );
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => suggest(input.value.trim()), DELAY_MS);
  });
}

for (const input of document.querySelectorAll("input[data-suggest]")) {
  enhance(input);
}
