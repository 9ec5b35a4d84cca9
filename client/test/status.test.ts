import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { type Phase, type StatusEvent, nextPhase, statusView } from "../src/status";

function run(events: StatusEvent[]): Phase {
  return events.reduce<Phase>(nextPhase, { kind: "stopped" });
}

describe("status item", () => {
  it("shows while starting and indexing, hides when indexing ends", () => {
    const starting = run([{ kind: "start" }]);
    assert.equal(statusView(starting).visible, true);
    assert.match(statusView(starting).text, /sync~spin/);

    const indexing = run([{ kind: "start" }, { kind: "progress-begin", title: "Indexing", percentage: 0 }]);
    assert.equal(statusView(indexing).text, "$(sync~spin) Streamlit: indexing 0%");

    const halfway = run([
      { kind: "start" },
      { kind: "progress-begin", percentage: 0 },
      { kind: "progress-report", percentage: 50, message: "25/50 files" },
    ]);
    assert.equal(statusView(halfway).text, "$(sync~spin) Streamlit: indexing 50%");
    assert.match(statusView(halfway).tooltip, /25\/50 files/);

    const ready = run([{ kind: "start" }, { kind: "progress-begin" }, { kind: "progress-end" }]);
    assert.deepEqual(ready, { kind: "ready" });
    assert.equal(statusView(ready).visible, false);
  });

  it("takes the first diagnostics as ready when no progress came", () => {
    assert.deepEqual(run([{ kind: "start" }, { kind: "diagnostics" }]), { kind: "ready" });
    // ...but diagnostics during indexing do not end it.
    assert.equal(run([{ kind: "start" }, { kind: "progress-begin" }, { kind: "diagnostics" }]).kind, "indexing");
  });

  it("ignores a report outside indexing", () => {
    assert.deepEqual(run([{ kind: "start" }, { kind: "progress-begin" }, { kind: "progress-end" }, { kind: "progress-report", percentage: 3 }]), {
      kind: "ready",
    });
  });

  it("stays visible, with a way out, for problems", () => {
    const missing = statusView(run([{ kind: "start" }, { kind: "not-installed", python: "/usr/bin/python3" }]));
    assert.equal(missing.visible, true);
    assert.equal(missing.level, "warning");
    assert.equal(missing.command, "streamlitLsp.restart");
    assert.match(missing.tooltip, /not installed in \/usr\/bin\/python3/);

    const stopped = statusView(run([{ kind: "start" }, { kind: "progress-begin" }, { kind: "stopped", reason: "crashed" }]));
    assert.equal(stopped.level, "error");
    assert.equal(stopped.command, "streamlitLsp.restart");

    const noPython = statusView(run([{ kind: "start" }, { kind: "no-python" }]));
    assert.equal(noPython.level, "error");
    assert.equal(noPython.command, "streamlitLsp.showOutput");
  });

  it("starts over on restart", () => {
    assert.deepEqual(run([{ kind: "stopped" }, { kind: "start" }]), { kind: "starting" });
  });
});
