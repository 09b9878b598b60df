// Calls to the editor API (/api/editor/…): session cookie, CSRF token from the page, JSON.
//
// The CSRF cookie is HttpOnly, so the token comes from the form field Django renders in the page.

export class ApiError extends Error {
  constructor(status, body) {
    super(ApiError.describe(status, body));
    this.status = status;
    this.body = body;
  }

  static describe(status, body) {
    if (body && Array.isArray(body.detail)) {
      // 422: [{loc: ["body", "field"], msg: "..."}]
      return body.detail
        .map((e) => {
          const field = (e.loc || []).filter((part) => part !== "body").join(" ");
          return field ? `${field}: ${e.msg}` : e.msg;
        })
        .join(" ");
    }
    if (body && body.detail) return String(body.detail);
    return `The server answered ${status}.`;
  }
}

export class Api {
  constructor(base, root = document) {
    this.base = base;
    this.root = root;
  }

  get token() {
    const field = this.root.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  async request(method, path, { body, query } = {}) {
    let url = this.base + path;
    if (query) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query)) {
        if (value !== undefined && value !== null && value !== "") params.set(key, value);
      }
      const text = params.toString();
      if (text) url += `?${text}`;
    }
    const headers = { Accept: "application/json" };
    if (method !== "GET") headers["X-CSRFToken"] = this.token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(url, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    const type = response.headers.get("Content-Type") || "";
    if (type.includes("json")) data = await response.json();
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  get(path, query) {
    return this.request("GET", path, { query });
  }

  post(path, body = {}) {
    return this.request("POST", path, { body });
  }

  patch(path, body) {
    return this.request("PATCH", path, { body });
  }

  delete(path, query) {
    return this.request("DELETE", path, { query });
  }
}
