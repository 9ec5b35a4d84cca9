/**
 * Which Python runs the server, whether streamlit-lsp is installed in it, and how to
 * install it. No `vscode` import: the extension passes in what it reads from VS Code
 * and the unit tests pass in fakes.
 *
 * Order: the `streamlitLsp.interpreter` setting (user settings only: it is
 * machine-scoped, so a workspace cannot name an executable), the Python extension's
 * active environment when that extension is installed (not in an untrusted workspace:
 * it may be a .venv inside the workspace), then `python3`/`python` on PATH (relative
 * PATH entries skipped; in an untrusted workspace, nothing inside a workspace folder).
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

import type { Inspected } from "./settings";

export type InterpreterSource = "setting" | "python-extension" | "path";

export interface Interpreter {
  path: string;
  source: InterpreterSource;
}

export interface ResolveInput {
  /** The inspection of `streamlitLsp.interpreter`. */
  setting: Inspected<string> | undefined;
  /** `vscode.workspace.isTrusted`. */
  trusted: boolean;
  /** File-system paths of the workspace folders. */
  workspaceFolders: readonly string[];
  /** The Python extension's active interpreter; undefined when it is not installed. */
  pythonExtension?: () => Promise<string | undefined>;
  /** `process.env.PATH` (and `PATHEXT` on Windows). */
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  /** Whether `file` exists and can be executed (injected for the tests). */
  isExecutable?: (file: string) => boolean;
  homedir?: string;
}

export interface Resolution {
  interpreter?: Interpreter;
  /** What was tried and skipped, for the log. */
  notes: string[];
}

export const SOURCE_LABELS: Record<InterpreterSource, string> = {
  setting: "the streamlitLsp.interpreter setting",
  "python-extension": "the Python extension's active environment",
  path: "PATH",
};

export function defaultIsExecutable(file: string): boolean {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) {
      return false;
    }
    if (process.platform === "win32") {
      return true;
    }
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Whether `file` is `folder` or lies inside it. */
export function isInside(file: string, folder: string, platform: NodeJS.Platform = process.platform): boolean {
  const p = platform === "win32" ? path.win32 : path.posix;
  const relative = p.relative(p.resolve(folder), p.resolve(file));
  return relative === "" || (!relative.startsWith("..") && !p.isAbsolute(relative));
}

/** `name` looked up on PATH, skipping relative entries (`.` would be the cwd). */
export function findOnPath(
  name: string,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
  isExecutable: (file: string) => boolean,
  exclude: (file: string) => boolean = () => false,
): { found?: string; skipped: string[] } {
  const p = platform === "win32" ? path.win32 : path.posix;
  const separator = platform === "win32" ? ";" : ":";
  const pathValue = env.PATH ?? env.Path ?? "";
  const extensions =
    platform === "win32" ? (env.PATHEXT ?? ".COM;.EXE;.BAT;.CMD").split(";").filter(Boolean) : [""];
  const skipped: string[] = [];
  for (const folder of pathValue.split(separator)) {
    if (!folder || !p.isAbsolute(folder)) {
      continue;
    }
    for (const extension of extensions) {
      const candidate = p.join(folder, name + extension);
      if (!isExecutable(candidate)) {
        continue;
      }
      if (exclude(candidate)) {
        skipped.push(candidate);
        continue;
      }
      return { found: candidate, skipped };
    }
  }
  return { skipped };
}

/** `~` expanded; a bare command name (no separator) is looked up on PATH by the caller. */
export function expandHome(value: string, homedir: string): string {
  if (value === "~") {
    return homedir;
  }
  if (value.startsWith("~/") || value.startsWith("~\\")) {
    return path.join(homedir, value.slice(2));
  }
  return value;
}

function isBareName(value: string): boolean {
  return !value.includes("/") && !value.includes("\\");
}

export async function resolveInterpreter(input: ResolveInput): Promise<Resolution> {
  const notes: string[] = [];
  const isExecutable = input.isExecutable ?? defaultIsExecutable;
  const homedir = input.homedir ?? os.homedir();
  const p = input.platform === "win32" ? path.win32 : path.posix;
  const insideWorkspace = (file: string) =>
    input.workspaceFolders.some((folder) => isInside(file, folder, input.platform));
  // In an untrusted workspace nothing the workspace contains may be executed.
  const excludeUntrusted = (file: string) => !input.trusted && insideWorkspace(file);

  // 1. The setting, from user settings only.
  const setting = input.setting;
  if (setting?.workspaceValue || setting?.workspaceFolderValue) {
    notes.push(
      "streamlitLsp.interpreter in workspace settings is ignored: only user settings can name the interpreter",
    );
  }
  const configured = (setting?.globalValue ?? "").trim();
  if (configured) {
    const expanded = expandHome(configured, homedir);
    if (isBareName(expanded)) {
      const { found } = findOnPath(expanded, input.env, input.platform, isExecutable, excludeUntrusted);
      if (found) {
        return { interpreter: { path: found, source: "setting" }, notes };
      }
      notes.push(`streamlitLsp.interpreter names ${JSON.stringify(configured)}, which is not on PATH`);
    } else if (!p.isAbsolute(expanded)) {
      notes.push(`streamlitLsp.interpreter must be an absolute path, got ${JSON.stringify(configured)}`);
    } else if (!isExecutable(expanded)) {
      notes.push(`streamlitLsp.interpreter: ${expanded} does not exist or is not executable`);
    } else {
      return { interpreter: { path: expanded, source: "setting" }, notes };
    }
  }

  // 2. The Python extension's active environment (optional).
  if (input.pythonExtension) {
    if (!input.trusted) {
      notes.push("the Python extension's environment is not used in an untrusted workspace");
    } else {
      let fromExtension: string | undefined;
      try {
        fromExtension = await input.pythonExtension();
      } catch (error) {
        notes.push(`the Python extension did not answer: ${String(error)}`);
      }
      if (fromExtension) {
        if (isExecutable(fromExtension)) {
          return { interpreter: { path: fromExtension, source: "python-extension" }, notes };
        }
        notes.push(`the Python extension's interpreter ${fromExtension} is not executable`);
      }
    }
  }

  // 3. PATH.
  for (const name of ["python3", "python"]) {
    const { found, skipped } = findOnPath(name, input.env, input.platform, isExecutable, excludeUntrusted);
    for (const file of skipped) {
      notes.push(`${file} is inside the untrusted workspace: skipped`);
    }
    if (found) {
      return { interpreter: { path: found, source: "path" }, notes };
    }
  }
  notes.push("no python3 or python on PATH");
  return { notes };
}

// ---------------------------------------------------------------------------------
// The probe: is streamlit-lsp importable by that interpreter?

/**
 * Run with `python -c`. `find_spec` locates the package without importing it. The
 * extension runs it (and the server) from its own folder with PYTHONSAFEPATH set, so
 * neither the workspace nor the current folder is on sys.path: nothing of the user's
 * code can be imported.
 */
export const PROBE_SCRIPT = [
  "import json, sys",
  "from importlib.util import find_spec",
  "try:",
  "    found = find_spec('streamlit_lsp') is not None",
  "except Exception:",
  "    found = False",
  "version = None",
  "if found:",
  "    try:",
  "        from importlib.metadata import version as v",
  "        version = v('streamlit-lsp')",
  "    except Exception:",
  "        pass",
  "print(json.dumps({'python': list(sys.version_info[:3]), 'executable': sys.executable,",
  "                  'found': found, 'version': version}))",
].join("\n");

export const MINIMUM_PYTHON: readonly [number, number] = [3, 10];

export interface ProbeRun {
  /** Error code of a failed spawn (ENOENT, EACCES...). */
  spawnError?: string;
  status: number | null;
  stdout: string;
  stderr: string;
}

export type ProbeOutcome =
  | { kind: "ok"; python: string; executable: string; version: string | null }
  | { kind: "missing"; python: string; executable: string }
  | { kind: "too-old"; python: string }
  | { kind: "not-runnable"; detail: string };

export function parseProbe(run: ProbeRun): ProbeOutcome {
  if (run.spawnError) {
    return { kind: "not-runnable", detail: `could not start it (${run.spawnError})` };
  }
  const lastLine = run.stdout.trim().split(/\r?\n/).pop() ?? "";
  let answer: { python?: unknown; executable?: unknown; found?: unknown; version?: unknown };
  try {
    answer = JSON.parse(lastLine);
  } catch {
    const stderr = run.stderr.trim().split(/\r?\n/).slice(-3).join(" ");
    return {
      kind: "not-runnable",
      detail: `it exited with status ${run.status}${stderr ? `: ${stderr}` : ""}`,
    };
  }
  const version = Array.isArray(answer.python) ? answer.python.map(Number) : [];
  const python = version.join(".");
  if (
    version.length < 2 ||
    version[0] < MINIMUM_PYTHON[0] ||
    (version[0] === MINIMUM_PYTHON[0] && version[1] < MINIMUM_PYTHON[1])
  ) {
    return { kind: "too-old", python: python || "unknown" };
  }
  const executable = typeof answer.executable === "string" ? answer.executable : "";
  if (answer.found !== true) {
    return { kind: "missing", python, executable };
  }
  return {
    kind: "ok",
    python,
    executable,
    version: typeof answer.version === "string" ? answer.version : null,
  };
}

// ---------------------------------------------------------------------------------
// Installing the server package.

/**
 * What to install: the local checkout (editable) when the extension runs from the
 * repository (development), else the package from PyPI.
 */
export function installSpec(extensionRoot: string, exists: (file: string) => boolean = fs.existsSync): string[] {
  const pyproject = path.join(extensionRoot, "pyproject.toml");
  if (exists(pyproject) && exists(path.join(extensionRoot, "server", "streamlit_lsp", "__init__.py"))) {
    return ["-e", extensionRoot];
  }
  return ["streamlit-lsp"];
}

export function installArgs(spec: readonly string[]): string[] {
  return ["-m", "pip", "install", ...spec];
}

/** `args` as one line a user can paste into a shell. */
export function shellLine(args: readonly string[], platform: NodeJS.Platform = process.platform): string {
  return args
    .map((arg) => {
      if (/^[A-Za-z0-9_@%+=:,./\\-]+$/.test(arg)) {
        return arg;
      }
      if (platform === "win32") {
        return `"${arg.replace(/"/g, '\\"')}"`;
      }
      return `'${arg.replace(/'/g, `'"'"'`)}'`;
    })
    .join(" ");
}

/** The installation command for `python`, as a line to show. */
export function installCommand(python: string, spec: readonly string[], platform: NodeJS.Platform = process.platform): string {
  return shellLine([python, ...installArgs(spec)], platform);
}

/** A reason for a failed `pip install`, in words the user can act on. */
export function explainInstallFailure(output: string, python: string): string {
  if (/externally[- ]managed[- ]environment/i.test(output)) {
    return (
      `${python} is managed by the operating system and pip refuses to install into it (PEP 668). ` +
      "Create a virtual environment (python3 -m venv ~/.venvs/streamlit-lsp), install streamlit-lsp there " +
      "and set streamlitLsp.interpreter to its python."
    );
  }
  if (/No module named pip/i.test(output)) {
    return `${python} has no pip. Install pip for it, or set streamlitLsp.interpreter to another Python.`;
  }
  if (/No matching distribution found|Could not find a version/i.test(output)) {
    return "pip could not find streamlit-lsp on the package index (offline, or an index without it).";
  }
  const lastLines = output.trim().split(/\r?\n/).filter(Boolean).slice(-2).join(" ");
  return `pip failed${lastLines ? `: ${lastLines}` : ""}.`;
}

/** The environment for the probe and the server: the current folder is never on sys.path. */
export function safeEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, PYTHONSAFEPATH: "1" };
}

/** The arguments that start the server over stdio (the client appends --stdio). */
export const SERVER_ARGS = ["-m", "streamlit_lsp", "serve"] as const;
