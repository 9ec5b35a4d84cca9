import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { escapeHtml, parseSite, parseStateMap, renderStateMap } from "../src/stateMap";

// The shape of `streamlit-lsp map examples/bookshop --format json` (two of its keys).
const ANSWER = [
  {
    key: "book",
    widget: "selectbox",
    pages: {
      "catalog.py": { widget: ["views/catalog.py:20"] },
      "checkout.py": { read: ["views/checkout.py:6"] },
    },
  },
  {
    key: "cart",
    widget: null,
    pages: {
      "catalog.py": { init: ["state.py:11"], read: ["views/catalog.py:10"] },
    },
  },
];

const OPTIONS = { cspSource: "vscode-webview://x", nonce: "abc123", root: "/ws/bookshop" };

describe("session-state map", () => {
  it("keeps well-formed entries and drops the rest", () => {
    const entries = parseStateMap([...ANSWER, null, { key: 3 }, { key: "x", widget: 5, pages: { p: "bad", q: { read: ["a.py:1", 7] } } }]);
    assert.equal(entries.length, 3);
    assert.deepEqual(entries[2], { key: "x", widget: null, pages: { q: { read: ["a.py:1"] } } });
    assert.deepEqual(parseStateMap({ not: "a list" }), []);
  });

  it("splits a place at its last colon", () => {
    assert.deepEqual(parseSite("views/catalog.py:20"), { path: "views/catalog.py", line: 20 });
    assert.deepEqual(parseSite("C:\\app\\x.py:3"), { path: "C:\\app\\x.py", line: 3 });
    assert.equal(parseSite("no-line"), undefined);
  });

  it("renders one row per key and page, with clickable places", () => {
    const html = renderStateMap(parseStateMap(ANSWER), OPTIONS);
    assert.match(html, /<td rowspan="2" class="key"><code>book<\/code><\/td><td rowspan="2">selectbox<\/td><td>catalog.py<\/td>/);
    assert.match(html, /data-site="views\/checkout.py:6"/);
    assert.match(html, /data-site="state.py:11">state.py:11<\/a>/);
    assert.equal((html.match(/<tr>/g) ?? []).length, 1 + 3); // header + book x2 + cart x1
    assert.match(html, /2 keys; paths relative to <code>\/ws\/bookshop<\/code>/);
  });

  it("allows only its own script", () => {
    const html = renderStateMap([], OPTIONS);
    assert.match(html, /script-src 'nonce-abc123'/);
    assert.match(html, /default-src 'none'/);
    assert.match(html, /<script nonce="abc123">/);
    assert.match(html, /No session-state keys/);
  });

  it("escapes what comes from the user's code", () => {
    const html = renderStateMap(
      parseStateMap([{ key: "<img src=x onerror=alert(1)>", widget: null, pages: { "<b>.py": { read: ['a".py:1'] } } }]),
      OPTIONS,
    );
    assert.doesNotMatch(html, /<img/);
    assert.doesNotMatch(html, /<b>\.py/);
    assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
    assert.match(html, /data-site="a&quot;.py:1"/);
    assert.equal(escapeHtml(`&<>"'`), "&amp;&lt;&gt;&quot;&#39;");
  });
});
