/**
 * The session-state map (the server's `streamlit-lsp/stateMap` answer) as an HTML table
 * for a webview. No `vscode` import: unit tested.
 *
 * Answer: [{key, widget, pages: {page: {widget|init|write|read: ["file:line", ...]}}}],
 * file paths relative to the first workspace folder.
 */

export const STATE_MAP_REQUEST = "streamlit-lsp/stateMap";

export const ROLES = ["init", "write", "read", "widget"] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_TITLES: Record<Role, string> = {
  init: "initialised",
  write: "written",
  read: "read",
  widget: "widget created",
};

export interface StateMapEntry {
  key: string;
  widget: string | null;
  pages: Record<string, Partial<Record<Role, string[]>>>;
}

/** Keep what has the expected shape; drop the rest (the answer comes from another process). */
export function parseStateMap(answer: unknown): StateMapEntry[] {
  if (!Array.isArray(answer)) {
    return [];
  }
  const entries: StateMapEntry[] = [];
  for (const item of answer) {
    if (typeof item !== "object" || item === null || typeof item.key !== "string") {
      continue;
    }
    const pages: StateMapEntry["pages"] = {};
    if (typeof item.pages === "object" && item.pages !== null) {
      for (const [page, roles] of Object.entries(item.pages as Record<string, unknown>)) {
        if (typeof roles !== "object" || roles === null) {
          continue;
        }
        const kept: Partial<Record<Role, string[]>> = {};
        for (const role of ROLES) {
          const sites = (roles as Record<string, unknown>)[role];
          if (Array.isArray(sites)) {
            kept[role] = sites.filter((site): site is string => typeof site === "string");
          }
        }
        pages[page] = kept;
      }
    }
    entries.push({ key: item.key, widget: typeof item.widget === "string" ? item.widget : null, pages });
  }
  return entries;
}

/** "views/catalog.py:21" -> {path, line} (line 1-based); the last colon splits. */
export function parseSite(site: string): { path: string; line: number } | undefined {
  const match = /^(.+):(\d+)$/.exec(site);
  if (!match) {
    return undefined;
  }
  return { path: match[1], line: Number(match[2]) };
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

function sitesCell(sites: readonly string[] | undefined): string {
  if (!sites || sites.length === 0) {
    return "<td></td>";
  }
  const links = sites.map(
    (site) => `<a href="#" class="site" data-site="${escapeHtml(site)}">${escapeHtml(site)}</a>`,
  );
  return `<td>${links.join("<br>")}</td>`;
}

export interface RenderOptions {
  /** The webview's `cspSource`. */
  cspSource: string;
  /** A fresh random nonce for the one inline script. */
  nonce: string;
  /** Shown above the table (the workspace folder the paths are relative to). */
  root?: string;
}

/** The whole webview document: one row per key and page. */
export function renderStateMap(entries: readonly StateMapEntry[], options: RenderOptions): string {
  const rows: string[] = [];
  for (const entry of entries) {
    const pages = Object.keys(entry.pages).sort();
    const span = Math.max(pages.length, 1);
    const keyCells =
      `<td rowspan="${span}" class="key"><code>${escapeHtml(entry.key)}</code></td>` +
      `<td rowspan="${span}">${entry.widget ? escapeHtml(entry.widget) : ""}</td>`;
    if (pages.length === 0) {
      rows.push(`<tr>${keyCells}<td></td>${ROLES.map(() => "<td></td>").join("")}</tr>`);
      continue;
    }
    pages.forEach((page, index) => {
      const roles = entry.pages[page];
      const cells = ROLES.map((role) => sitesCell(roles[role])).join("");
      rows.push(`<tr>${index === 0 ? keyCells : ""}<td>${escapeHtml(page)}</td>${cells}</tr>`);
    });
  }
  const header =
    "<tr><th>key</th><th>widget</th><th>page</th>" +
    ROLES.map((role) => `<th>${ROLE_TITLES[role]}</th>`).join("") +
    "</tr>";
  const body =
    entries.length === 0
      ? '<p class="empty">No session-state keys found in this workspace.</p>'
      : `<table><thead>${header}</thead><tbody>${rows.join("\n")}</tbody></table>`;
  // Both parts come from the extension (the webview's source and a base64 nonce).
  const csp =
    `default-src 'none'; style-src ${options.cspSource} 'unsafe-inline'; ` +
    `script-src 'nonce-${options.nonce}';`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Session-state map</title>
<style>
  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); }
  table { border-collapse: collapse; margin-top: 0.5em; }
  th, td { border: 1px solid var(--vscode-panel-border, #8884); padding: 3px 8px; text-align: left; vertical-align: top; }
  th { background: var(--vscode-editorWidget-background, transparent); }
  td.key code { font-weight: bold; }
  a.site { color: var(--vscode-textLink-foreground); text-decoration: none; }
  a.site:hover { text-decoration: underline; }
  .toolbar { display: flex; gap: 1em; align-items: center; }
</style>
</head>
<body>
<div class="toolbar">
  <h2>Session-state map</h2>
  <button id="refresh">Refresh</button>
</div>
<p>${entries.length} key${entries.length === 1 ? "" : "s"}${options.root ? `; paths relative to <code>${escapeHtml(options.root)}</code>` : ""}. Click a place to open it.</p>
${body}
<script nonce="${escapeHtml(options.nonce)}">
  const vscode = acquireVsCodeApi();
  document.getElementById("refresh").addEventListener("click", () => vscode.postMessage({ type: "refresh" }));
  for (const link of document.querySelectorAll("a.site")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      vscode.postMessage({ type: "open", site: link.dataset.site });
    });
  }
</script>
</body>
</html>
`;
}
