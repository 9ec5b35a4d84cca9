// Drive code-server (VS Code in the browser) through the extension on a copy of
// examples/bookshop. Started by client/e2e/run.sh; env: CS_URL, WS, SHOTS, CHROMIUM, PYTHON,
// SCENARIO ("features": the server runs; "missing": PYTHON lacks streamlit-lsp).
// Each check saves a screenshot in SHOTS; the last line is "N passed, M failed".
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(path.join(path.dirname(fileURLToPath(import.meta.url)), "../tools/package.json"));
const { chromium } = require("playwright-core");

const CS_URL = process.env.CS_URL;
const SHOTS = process.env.SHOTS;
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const SCENARIO = process.env.SCENARIO || "features";
const PYTHON = process.env.PYTHON;
const WS = process.env.WS; // the workspace folder code-server opened
const started = Date.now();
const log = (message) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);

const results = [];
async function check(name, shot, body) {
  try {
    await body();
    results.push(true);
    log(`PASS ${name}`);
  } catch (error) {
    results.push(false);
    log(`FAIL ${name}: ${String(error.message ?? error).split("\n")[0]}`);
  } finally {
    await page.screenshot({ path: path.join(SHOTS, shot) }).catch(() => {});
  }
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });

const explorerRow = (name) => page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${name}"]`);
const editor = page.locator(".editor-instance .monaco-editor").first();
const activeTab = page.locator(".tabs-container .tab.active");

/** Put the cursor at line:column (1-based) with the Go to Line box. */
async function goTo(line, column) {
  await page.keyboard.press("Control+G");
  await page.locator(".quick-input-widget input").waitFor({ timeout: 10_000 });
  await page.keyboard.type(`${line}:${column}`);
  await page.keyboard.press("Enter");
}

async function openWorkbench() {
  await page.goto(CS_URL, { waitUntil: "domcontentloaded" });
  await page.waitForSelector(".monaco-workbench", { timeout: 90_000 });
  await explorerRow("views").waitFor({ timeout: 90_000 });
  log("workbench loaded");
}

async function features() {
  await check("the workbench opens the bookshop and the server reports on checkout.py", "01-checkout-opened.png", async () => {
    await openWorkbench();
    await explorerRow("views").click();
    await explorerRow("checkout.py").click();
    await editor.waitFor({ timeout: 20_000 });
    // The server is up once its diagnostics are drawn (ST002, ST005, ST008 on this page).
    await page.locator(".editor-instance .monaco-editor .squiggly-error").first().waitFor({ timeout: 60_000 });
  });

  await check("the Problems panel shows known mistakes: ST001 in catalog.py (never opened), ST002 in checkout.py", "02-problems.png", async () => {
    await page.keyboard.press("Control+Shift+M");
    const problem = (text) => page.locator(".markers-panel .monaco-list-row", { hasText: text }).first();
    // Workspace diagnostics: catalog.py was never opened.
    await problem("show_prices is read but nothing in the app initialises it").waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(SHOTS, "02a-problems-all.png") });
    // The list is virtual: filter it down to the other one.
    await page.getByPlaceholder(/^Filter \(e\.g\./).fill("last_order");
    await problem("last_order is read before it is initialised").waitFor({ timeout: 10_000 });
    await problem("ST002").waitFor({ timeout: 5_000 });
  });

  await check("go to definition of st.session_state.discount jumps to its init in state.py:12", "03-definition.png", async () => {
    await editor.locator(".view-lines").click();
    await goTo(8, 63); // inside `discount` in `(1 - st.session_state.discount)`
    await page.keyboard.press("F12");
    await activeTab.filter({ hasText: "state.py" }).waitFor({ timeout: 20_000 });
    await page.locator(".statusbar-item", { hasText: /Ln 12, Col/ }).first().waitFor({ timeout: 10_000 });
  });

  await check("completion after st.session_state. offers the app's keys", "04-completion.png", async () => {
    await page.locator(".tabs-container .tab", { hasText: "checkout.py" }).first().click();
    await editor.locator(".view-lines").click();
    await page.keyboard.press("Control+End");
    await page.keyboard.press("Enter");
    await page.keyboard.type("st.session_state.", { delay: 40 });
    const row = (label) => page.locator(".suggest-widget .monaco-list-row", { hasText: label }).first();
    try {
      await row("discount").waitFor({ timeout: 20_000 });
    } catch {
      log("no suggestions from the trigger character; pressing Ctrl+Space");
      await page.keyboard.press("Control+Space");
      await row("discount").waitFor({ timeout: 20_000 });
    }
    await row("last_order").waitFor({ timeout: 5_000 });
    await row("currency").waitFor({ timeout: 5_000 });
  });

  await check("Show Session-State Map renders the keys table", "05-state-map.png", async () => {
    await page.keyboard.press("Escape");
    await page.keyboard.press("F1");
    await page.locator(".quick-input-widget input").waitFor({ timeout: 10_000 });
    await page.keyboard.type("Streamlit LSP: Show Session-State Map");
    await page.locator(".quick-input-list .monaco-list-row", { hasText: "Show Session-State Map" }).first().waitFor({ timeout: 10_000 });
    await page.keyboard.press("Enter");
    // The webview is an iframe in an iframe: look for the table in every frame.
    const deadline = Date.now() + 30_000;
    for (;;) {
      let found = false;
      for (const frame of page.frames()) {
        const text = await frame.locator("body").innerText({ timeout: 1_000 }).catch(() => "");
        if (text.includes("Session-state map") && text.includes("discount") && text.includes("views/checkout.py:8")) {
          found = true;
          break;
        }
      }
      if (found) {
        break;
      }
      if (Date.now() > deadline) {
        throw new Error("the session-state map did not show the keys");
      }
      await page.waitForTimeout(500);
    }
  });

  await check("a folder moved into the workspace whole is analysed, and forgotten when moved out", "06-folder-moved.png", async () => {
    // Made beside the workspace, then moved in and out: VS Code's watcher reports the
    // folder alone, not the file in it.
    const outside = path.join(path.dirname(WS), "tools-outside");
    const inside = path.join(WS, "tools");
    fs.mkdirSync(outside);
    fs.writeFileSync(
      path.join(outside, "report.py"),
      "import streamlit as st\n\nst.write(st.session_state.moved_in_key)\n",
    );
    const filter = page.getByPlaceholder(/^Filter \(e\.g\./);
    if (!(await filter.isVisible())) {
      await page.keyboard.press("Control+Shift+M");
    }
    await filter.fill("moved_in_key");
    const problem = page.locator(".markers-panel .monaco-list-row", { hasText: "moved_in_key is read but nothing" }).first();
    fs.renameSync(outside, inside);
    await problem.waitFor({ timeout: 30_000 });
    fs.renameSync(inside, outside);
    await problem.waitFor({ state: "detached", timeout: 30_000 });
  });
}

async function missing() {
  const command = `${PYTHON} -m pip install streamlit-lsp`;
  const toast = (text) => page.locator(".notifications-toasts .notification-toast", { hasText: text }).first();
  await check("a notification says the server is not installed, with the exact install command", "01-not-installed.png", async () => {
    await openWorkbench();
    await explorerRow("app.py").click(); // a Python file activates the extension
    await toast(`streamlit-lsp is not installed in ${PYTHON}. Install it with: ${command}`).waitFor({ timeout: 60_000 });
    await page.locator(".statusbar-item", { hasText: "Streamlit: server not installed" }).first().waitFor({ timeout: 10_000 });
  });
  await check("Install runs pip and explains why it failed (this Python has no pip)", "02-install-failed.png", async () => {
    await toast("is not installed in").getByRole("button", { name: "Install" }).click();
    await toast(`${PYTHON} has no pip`).waitFor({ timeout: 60_000 });
  });
}

try {
  await (SCENARIO === "missing" ? missing() : features());
} finally {
  await browser.close();
}
const passed = results.filter(Boolean).length;
console.log(`${passed} passed, ${results.length - passed} failed`);
process.exit(passed === results.length ? 0 : 1);
