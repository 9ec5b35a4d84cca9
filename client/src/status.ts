/**
 * What the status bar item says (no `vscode` import: unit tested).
 *
 * It shows from the moment the server is started until the server has indexed the
 * workspace (its work-done progress ends, or the first diagnostics arrive), then hides;
 * it comes back for problems (no Python, server not installed, server stopped).
 */

export type Phase =
  | { kind: "starting" }
  | { kind: "indexing"; percentage?: number; message?: string }
  | { kind: "ready" }
  | { kind: "no-python" }
  | { kind: "not-installed"; python: string }
  | { kind: "stopped"; reason?: string };

export type StatusEvent =
  | { kind: "start" }
  | { kind: "progress-begin"; title?: string; percentage?: number; message?: string }
  | { kind: "progress-report"; percentage?: number; message?: string }
  | { kind: "progress-end" }
  | { kind: "diagnostics" }
  | { kind: "no-python" }
  | { kind: "not-installed"; python: string }
  | { kind: "stopped"; reason?: string };

export function nextPhase(phase: Phase, event: StatusEvent): Phase {
  switch (event.kind) {
    case "start":
      return { kind: "starting" };
    case "progress-begin":
      return { kind: "indexing", percentage: event.percentage, message: event.message };
    case "progress-report":
      if (phase.kind !== "indexing") {
        return phase;
      }
      return {
        kind: "indexing",
        percentage: event.percentage ?? phase.percentage,
        message: event.message ?? phase.message,
      };
    case "progress-end":
      return phase.kind === "indexing" || phase.kind === "starting" ? { kind: "ready" } : phase;
    case "diagnostics":
      // Diagnostics before any progress: a server that indexed without reporting.
      return phase.kind === "starting" ? { kind: "ready" } : phase;
    case "no-python":
      return { kind: "no-python" };
    case "not-installed":
      return { kind: "not-installed", python: event.python };
    case "stopped":
      return { kind: "stopped", reason: event.reason };
  }
}

export interface StatusView {
  visible: boolean;
  text: string;
  tooltip: string;
  /** error / warning colouring of the item. */
  level: "normal" | "warning" | "error";
  command: "streamlitLsp.showOutput" | "streamlitLsp.restart";
}

export function statusView(phase: Phase): StatusView {
  switch (phase.kind) {
    case "starting":
      return {
        visible: true,
        text: "$(sync~spin) Streamlit",
        tooltip: "streamlit-lsp: starting the language server",
        level: "normal",
        command: "streamlitLsp.showOutput",
      };
    case "indexing": {
      const amount = phase.percentage !== undefined ? ` ${Math.round(phase.percentage)}%` : "";
      return {
        visible: true,
        text: `$(sync~spin) Streamlit: indexing${amount}`,
        tooltip: `streamlit-lsp: indexing the workspace${phase.message ? ` (${phase.message})` : ""}`,
        level: "normal",
        command: "streamlitLsp.showOutput",
      };
    }
    case "ready":
      return {
        visible: false,
        text: "$(check) Streamlit",
        tooltip: "streamlit-lsp is running",
        level: "normal",
        command: "streamlitLsp.showOutput",
      };
    case "no-python":
      return {
        visible: true,
        text: "$(error) Streamlit: no Python",
        tooltip: "streamlit-lsp: no Python interpreter found; set streamlitLsp.interpreter. Click to see the log.",
        level: "error",
        command: "streamlitLsp.showOutput",
      };
    case "not-installed":
      return {
        visible: true,
        text: "$(warning) Streamlit: server not installed",
        tooltip: `streamlit-lsp is not installed in ${phase.python}. Click to try again after installing it.`,
        level: "warning",
        command: "streamlitLsp.restart",
      };
    case "stopped":
      return {
        visible: true,
        text: "$(error) Streamlit: stopped",
        tooltip: `streamlit-lsp stopped${phase.reason ? `: ${phase.reason}` : ""}. Click to restart it.`,
        level: "error",
        command: "streamlitLsp.restart",
      };
  }
}
