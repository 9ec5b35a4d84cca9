import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { ServerLogReader } from "../src/serverLog";

describe("server log lines", () => {
  it("take the level the server logged them at", () => {
    const reader = new ServerLogReader();
    assert.deepEqual(reader.read("2026-11-23 23:09:59,476 WARNING pygls.protocol.json_rpc: Cancel notification"), {
      level: "warn",
      text: "pygls.protocol.json_rpc: Cancel notification",
    });
    assert.equal(reader.read("2026-11-23 23:09:59,476 INFO streamlit_lsp.lsp.sync: indexed").level, "info");
    assert.equal(reader.read("2026-11-23 23:09:59,476 DEBUG x: y").level, "debug");
    assert.equal(reader.read("2026-11-23 23:09:59,476 CRITICAL x: y").level, "error");
  });

  it("keep a traceback at the level of the line that started it", () => {
    const reader = new ServerLogReader();
    reader.read("2026-11-23 23:09:59,476 ERROR streamlit_lsp.lsp.sync: indexing the workspace failed");
    assert.deepEqual(reader.read("Traceback (most recent call last):"), {
      level: "error",
      text: "Traceback (most recent call last):",
    });
    reader.read("2026-11-23 23:09:59,476 INFO x: y");
    assert.equal(reader.read("  continued").level, "info");
  });

  it("treat anything else before a log line as an error (a crash at start)", () => {
    assert.equal(new ServerLogReader().read("/usr/bin/python3: No module named streamlit_lsp").level, "error");
  });
});
