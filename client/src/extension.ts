/**
 * streamlit-lsp for VS Code: starts `<python> -m streamlit_lsp serve` over stdio for
 * Python files and maps the `streamlitLsp.*` settings onto the server's.
 *
 * The decisions (which Python, what to send, what the status item says, the state map
 * table) live in vscode-free modules with unit tests: python.ts, settings.ts,
 * status.ts, stateMap.ts. This file wires them to VS Code.
 */

import * as childProcess from "node:child_process";
import * as readline from "node:readline";
import * as vscode from "vscode";
import {
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  State,
  type StaticFeature,
  type FeatureState,
  TransportKind,
  WorkDoneProgress,
  WorkDoneProgressCreateRequest,
  type ClientCapabilities,
} from "vscode-languageclient/node";

import * as pythonExtension from "./pythonExtension";
import {
  type Interpreter,
  PROBE_SCRIPT,
  type ProbeOutcome,
  SERVER_ARGS,
  SOURCE_LABELS,
  explainInstallFailure,
  installArgs,
  installCommand,
  installSpec,
  parseProbe,
  resolveInterpreter,
  safeEnv,
} from "./python";
import { ServerLogReader } from "./serverLog";
import { RESTART_KEYS, SECTION, type Inspect, initializationOptions, serverSettings } from "./settings";
import { STATE_MAP_REQUEST } from "./stateMap";
import { StateMapView } from "./stateMapView";
import { type Phase, type StatusEvent, nextPhase, statusView } from "./status";

const CLIENT_ID = "streamlitLsp"; // also the prefix of `streamlitLsp.trace.server`
const CLIENT_NAME = "Streamlit LSP";

function inspectFor(scope?: vscode.Uri): Inspect {
  const configuration = vscode.workspace.getConfiguration(SECTION, scope);
  return (key) => configuration.inspect(key);
}

/**
 * Follows the server's work-done progress (the workspace indexing) for the status item.
 * It takes over `window/workDoneProgress/create` from the built-in feature, which only
 * showed the same progress as a window spinner.
 */
class IndexingProgressFeature implements StaticFeature {
  constructor(
    private readonly client: LanguageClient,
    private readonly report: (event: StatusEvent) => void,
  ) {}

  fillClientCapabilities(capabilities: ClientCapabilities): void {
    capabilities.window = capabilities.window ?? {};
    capabilities.window.workDoneProgress = true;
  }

  initialize(): void {
    this.client.onRequest(WorkDoneProgressCreateRequest.type, ({ token }) => {
      const subscription = this.client.onProgress(WorkDoneProgress.type, token, (value) => {
        if (value.kind === "begin") {
          this.report({ kind: "progress-begin", title: value.title, percentage: value.percentage, message: value.message });
        } else if (value.kind === "report") {
          this.report({ kind: "progress-report", percentage: value.percentage, message: value.message });
        } else {
          this.report({ kind: "progress-end" });
          subscription.dispose();
        }
      });
    });
  }

  getState(): FeatureState {
    return { kind: "static" };
  }

  clear(): void {}
}

function lines(input: NodeJS.ReadableStream, each: (line: string) => void): void {
  readline.createInterface({ input, crlfDelay: Infinity, terminal: false }).on("line", each);
}

class Controller implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private phase: Phase = { kind: "starting" };
  private interpreter: Interpreter | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private stopping = false;
  private readonly disposables: vscode.Disposable[] = [];
  readonly stateMap: StateMapView;

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
    private readonly statusItem: vscode.StatusBarItem,
  ) {
    this.stateMap = new StateMapView(() => this.requestStateMap(), log);
  }

  /** Start, stop and restart run one after the other. */
  private serialized(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task, task);
    this.queue = run.catch((error) => this.log.error(String(error)));
    return run;
  }

  private setStatus(event: StatusEvent): void {
    if (event.kind === "progress-begin") {
      this.log.info(`indexing: ${event.title ?? "started"}`);
    } else if (event.kind === "progress-end") {
      this.log.info("indexing finished");
    }
    this.phase = nextPhase(this.phase, event);
    const view = statusView(this.phase);
    this.statusItem.text = view.text;
    this.statusItem.tooltip = view.tooltip;
    this.statusItem.command = view.command;
    this.statusItem.backgroundColor =
      view.level === "error"
        ? new vscode.ThemeColor("statusBarItem.errorBackground")
        : view.level === "warning"
          ? new vscode.ThemeColor("statusBarItem.warningBackground")
          : undefined;
    if (view.visible) {
      this.statusItem.show();
    } else {
      this.statusItem.hide();
    }
  }

  start(): Promise<void> {
    return this.serialized(() => this.doStart());
  }

  restart(): Promise<void> {
    return this.serialized(async () => {
      this.log.info("restarting the server");
      await this.doStop();
      await this.doStart();
    });
  }

  stop(): Promise<void> {
    return this.serialized(() => this.doStop());
  }

  private async doStart(): Promise<void> {
    this.setStatus({ kind: "start" });
    const folders = (vscode.workspace.workspaceFolders ?? [])
      .filter((folder) => folder.uri.scheme === "file")
      .map((folder) => folder.uri.fsPath);
    const resolution = await resolveInterpreter({
      setting: vscode.workspace.getConfiguration(SECTION).inspect<string>("interpreter"),
      trusted: vscode.workspace.isTrusted,
      workspaceFolders: folders,
      pythonExtension: pythonExtension.isInstalled()
        ? () => pythonExtension.activeInterpreter(vscode.workspace.workspaceFolders?.[0]?.uri)
        : undefined,
      env: process.env,
      platform: process.platform,
    });
    for (const note of resolution.notes) {
      this.log.warn(note);
    }
    const interpreter = resolution.interpreter;
    this.interpreter = interpreter;
    if (!interpreter) {
      this.setStatus({ kind: "no-python" });
      this.log.error("no Python interpreter found");
      void this.askForInterpreter("streamlit-lsp: no Python interpreter found (python3 or python on PATH).");
      return;
    }
    this.log.info(`Python: ${interpreter.path} (from ${SOURCE_LABELS[interpreter.source]})`);

    const probe = await this.probe(interpreter.path);
    if (probe.kind !== "ok") {
      this.reportUnusable(interpreter, probe);
      return;
    }
    this.log.info(
      `streamlit-lsp ${probe.version ?? "(version unknown)"} on Python ${probe.python} (${probe.executable})`,
    );

    const extensionRoot = this.context.extensionUri.fsPath;
    const serverOptions: ServerOptions = {
      command: interpreter.path,
      args: [...SERVER_ARGS],
      transport: TransportKind.stdio,
      // Not the workspace: `python -m` puts the current folder on sys.path.
      options: { cwd: extensionRoot, env: safeEnv(process.env) },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: "file", language: "python" },
        { scheme: "untitled", language: "python" },
      ],
      outputChannel: this.log,
      stdioOptions: {
        stdout: (input, channel) => lines(input, (line) => channel.info(line)),
        stderr: (input, channel) => {
          const reader = new ServerLogReader();
          lines(input, (line) => {
            const { level, text } = reader.read(line);
            channel[level](`server: ${text}`);
          });
        },
      },
      initializationOptions: initializationOptions(inspectFor()),
      middleware: {
        workspace: {
          configuration: async (params, token, next) => {
            const answer = await next(params, token);
            if (!Array.isArray(answer)) {
              return answer;
            }
            return params.items.map((item, index) =>
              item.section === SECTION
                ? serverSettings(inspectFor(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined))
                : answer[index],
            );
          },
        },
        handleDiagnostics: (uri, diagnostics, next) => {
          this.setStatus({ kind: "diagnostics" });
          next(uri, diagnostics);
        },
        provideDiagnostics: (document, previousResultId, token, next) => {
          this.setStatus({ kind: "diagnostics" });
          return next(document, previousResultId, token);
        },
      },
    };
    const client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
    client.registerFeature(new IndexingProgressFeature(client, (event) => this.setStatus(event)));
    client.onDidChangeState(({ newState }) => {
      if (newState === State.Stopped && !this.stopping) {
        this.setStatus({ kind: "stopped", reason: "the server exited; see the output" });
      }
    });
    this.client = client;
    try {
      await client.start();
      this.log.info("server started");
    } catch (error) {
      this.log.error(`the server did not start: ${String(error)}`);
      this.setStatus({ kind: "stopped", reason: String(error) });
    }
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) {
      return;
    }
    this.stopping = true;
    try {
      if (client.isRunning()) {
        await client.stop(3000);
      }
      await client.dispose();
    } catch (error) {
      this.log.warn(`stopping the server: ${String(error)}`);
    } finally {
      this.stopping = false;
    }
  }

  private probe(python: string): Promise<ProbeOutcome> {
    return new Promise((resolve) => {
      childProcess.execFile(
        python,
        ["-c", PROBE_SCRIPT],
        { cwd: this.context.extensionUri.fsPath, env: safeEnv(process.env), timeout: 30_000 },
        (error, stdout, stderr) => {
          const code = (error as NodeJS.ErrnoException | null)?.code;
          resolve(
            parseProbe({
              spawnError: typeof code === "string" ? code : undefined,
              status: error ? (typeof code === "number" ? code : 1) : 0,
              stdout: String(stdout),
              stderr: String(stderr),
            }),
          );
        },
      );
    });
  }

  private reportUnusable(interpreter: Interpreter, probe: Exclude<ProbeOutcome, { kind: "ok" }>): void {
    const where = `${interpreter.path} (from ${SOURCE_LABELS[interpreter.source]})`;
    if (probe.kind === "missing") {
      const spec = installSpec(this.context.extensionUri.fsPath);
      const command = installCommand(interpreter.path, spec);
      this.log.error(`streamlit-lsp is not installed in ${where}. Install it with: ${command}`);
      this.setStatus({ kind: "not-installed", python: interpreter.path });
      void this.offerInstall(interpreter.path, spec, command);
      return;
    }
    const detail =
      probe.kind === "too-old"
        ? `${where} is Python ${probe.python}; streamlit-lsp needs Python 3.10 or newer.`
        : `${where} cannot be run: ${probe.detail}.`;
    this.log.error(detail);
    this.setStatus({ kind: "no-python" });
    void this.askForInterpreter(`streamlit-lsp: ${detail}`);
  }

  private async askForInterpreter(message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(message, "Set Interpreter", "Show Output");
    if (choice === "Set Interpreter") {
      await vscode.commands.executeCommand("workbench.action.openSettings", `${SECTION}.interpreter`);
    } else if (choice === "Show Output") {
      this.log.show();
    }
  }

  private async offerInstall(python: string, spec: string[], command: string): Promise<void> {
    const choice = await vscode.window.showWarningMessage(
      `streamlit-lsp is not installed in ${python}. Install it with: ${command}`,
      "Install",
      "Copy Command",
      "Set Interpreter",
    );
    if (choice === "Install") {
      await this.install(python, spec, command);
    } else if (choice === "Copy Command") {
      await vscode.env.clipboard.writeText(command);
    } else if (choice === "Set Interpreter") {
      await vscode.commands.executeCommand("workbench.action.openSettings", `${SECTION}.interpreter`);
    }
  }

  private async install(python: string, spec: string[], command: string): Promise<void> {
    this.log.info(`running: ${command}`);
    const { status, output } = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: "Installing streamlit-lsp…" },
      () =>
        new Promise<{ status: number | null; output: string }>((resolve) => {
          let output = "";
          const child = childProcess.spawn(python, installArgs(spec), {
            cwd: this.context.extensionUri.fsPath,
            env: process.env,
          });
          const collect = (chunk: Buffer) => {
            const text = chunk.toString();
            output += text;
            for (const line of text.split(/\r?\n/)) {
              if (line.trim()) {
                this.log.info(`pip: ${line}`);
              }
            }
          };
          child.stdout.on("data", collect);
          child.stderr.on("data", collect);
          child.on("error", (error) => resolve({ status: null, output: output + String(error) }));
          child.on("close", (code) => resolve({ status: code, output }));
        }),
    );
    if (status === 0) {
      void vscode.window.showInformationMessage("streamlit-lsp installed; starting the server.");
      await this.restart();
      return;
    }
    const reason = explainInstallFailure(output, python);
    this.log.error(`installation failed: ${reason}`);
    const choice = await vscode.window.showErrorMessage(`streamlit-lsp: ${reason}`, "Show Output", "Set Interpreter");
    if (choice === "Show Output") {
      this.log.show();
    } else if (choice === "Set Interpreter") {
      await vscode.commands.executeCommand("workbench.action.openSettings", `${SECTION}.interpreter`);
    }
  }

  private async requestStateMap(): Promise<unknown> {
    const client = this.client;
    if (!client || !client.isRunning()) {
      throw new Error("the language server is not running");
    }
    return client.sendRequest(STATE_MAP_REQUEST, {});
  }

  /** Whether the running server's interpreter came from the Python extension (or could). */
  followsPythonExtension(): boolean {
    return !this.interpreter || this.interpreter.source !== "setting";
  }

  dispose(): void {
    for (const disposable of this.disposables) {
      disposable.dispose();
    }
    this.stateMap.dispose();
  }
}

let controller: Controller | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel(CLIENT_NAME, { log: true });
  const statusItem = vscode.window.createStatusBarItem("streamlitLsp.status", vscode.StatusBarAlignment.Left, 0);
  statusItem.name = "Streamlit LSP";
  const current = new Controller(context, log, statusItem);
  controller = current;
  context.subscriptions.push(log, statusItem, current);
  log.info(
    `streamlit-lsp extension ${context.extension.packageJSON.version} in ${vscode.env.appName} ${vscode.version}` +
      (vscode.workspace.isTrusted ? "" : " (untrusted workspace)"),
  );

  context.subscriptions.push(
    vscode.commands.registerCommand("streamlitLsp.restart", () => current.restart()),
    vscode.commands.registerCommand("streamlitLsp.showOutput", () => log.show()),
    vscode.commands.registerCommand("streamlitLsp.showStateMap", async () => {
      try {
        await current.stateMap.show();
      } catch (error) {
        void vscode.window.showErrorMessage(`streamlit-lsp: cannot show the session-state map: ${String(error)}`);
      }
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      // The other settings are pulled by the running server (workspace/configuration).
      if (RESTART_KEYS.some((key) => event.affectsConfiguration(`${SECTION}.${key}`))) {
        void current.restart();
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      log.info("the workspace is now trusted");
      void current.restart();
    }),
  );
  if (pythonExtension.isInstalled()) {
    void pythonExtension.onDidChangeInterpreter(() => {
      if (current.followsPythonExtension()) {
        log.info("the Python extension's interpreter changed");
        void current.restart();
      }
    }).then((subscription) => subscription && context.subscriptions.push(subscription));
  }
  await current.start();
}

export async function deactivate(): Promise<void> {
  await controller?.stop();
  controller = undefined;
}
