/** The session-state map in a webview panel: a table of keys and pages, places clickable. */

import * as crypto from "node:crypto";
import * as path from "node:path";
import * as vscode from "vscode";

import { parseSite, parseStateMap, renderStateMap } from "./stateMap";

export class StateMapView implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;

  constructor(
    private readonly fetchMap: () => Promise<unknown>,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The folder the server's paths are relative to (its first workspace root). */
  private root(): vscode.Uri | undefined {
    return vscode.workspace.workspaceFolders?.[0]?.uri;
  }

  async show(): Promise<void> {
    if (this.panel) {
      this.panel.reveal();
    } else {
      const panel = vscode.window.createWebviewPanel(
        "streamlitLsp.stateMap",
        "Session-State Map",
        vscode.ViewColumn.Beside,
        { enableScripts: true, localResourceRoots: [] },
      );
      panel.onDidDispose(() => {
        this.panel = undefined;
      });
      panel.webview.onDidReceiveMessage((message) => this.onMessage(message));
      this.panel = panel;
    }
    await this.refresh();
  }

  private async refresh(): Promise<void> {
    const panel = this.panel;
    if (!panel) {
      return;
    }
    const entries = parseStateMap(await this.fetchMap());
    this.log.info(`session-state map: ${entries.length} keys`);
    panel.webview.html = renderStateMap(entries, {
      cspSource: panel.webview.cspSource,
      nonce: crypto.randomBytes(16).toString("base64"),
      root: this.root()?.fsPath,
    });
  }

  private async onMessage(message: unknown): Promise<void> {
    if (typeof message !== "object" || message === null) {
      return;
    }
    const { type, site } = message as { type?: unknown; site?: unknown };
    try {
      if (type === "refresh") {
        await this.refresh();
      } else if (type === "open" && typeof site === "string") {
        await this.open(site);
      }
    } catch (error) {
      this.log.error(`session-state map: ${String(error)}`);
      void vscode.window.showErrorMessage(`streamlit-lsp: ${String(error)}`);
    }
  }

  private async open(site: string): Promise<void> {
    const place = parseSite(site);
    const root = this.root();
    if (!place || !root) {
      return;
    }
    const uri = path.isAbsolute(place.path)
      ? vscode.Uri.file(place.path)
      : vscode.Uri.joinPath(root, ...place.path.split(/[\\/]/));
    const line = Math.max(place.line - 1, 0);
    await vscode.window.showTextDocument(uri, {
      viewColumn: vscode.ViewColumn.One,
      selection: new vscode.Range(line, 0, line, 0),
    });
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
