/**
 * The Python extension (ms-python.python), when it is installed: its active interpreter
 * and its change event. Optional: nothing here is required for the server to start.
 */

import * as vscode from "vscode";

const PYTHON_EXTENSION_ID = "ms-python.python";
const TIMEOUT_MS = 10_000;

interface EnvironmentPath {
  id: string;
  path: string;
}

interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): EnvironmentPath;
    resolveEnvironment(
      environment: EnvironmentPath | string,
    ): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
    onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
  };
  settings?: {
    getExecutionDetails?(resource?: vscode.Uri): { execCommand?: string[] };
    onDidChangeExecutionDetails?: vscode.Event<unknown>;
  };
}

function withTimeout<T>(promise: Thenable<T>, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} took longer than ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

export function isInstalled(): boolean {
  return vscode.extensions.getExtension(PYTHON_EXTENSION_ID) !== undefined;
}

async function api(): Promise<PythonExtensionApi | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION_ID);
  if (!extension) {
    return undefined;
  }
  if (!extension.isActive) {
    await withTimeout(extension.activate(), "activating the Python extension");
  }
  return extension.exports;
}

/** The active interpreter's executable for `resource`, or undefined. */
export async function activeInterpreter(resource?: vscode.Uri): Promise<string | undefined> {
  const python = await api();
  if (!python) {
    return undefined;
  }
  const environments = python.environments;
  if (environments?.getActiveEnvironmentPath) {
    const active = environments.getActiveEnvironmentPath(resource);
    const resolved = await withTimeout(environments.resolveEnvironment(active), "resolving the Python environment");
    const executable = resolved?.executable?.uri?.fsPath;
    if (executable) {
      return executable;
    }
  }
  const command = python.settings?.getExecutionDetails?.(resource)?.execCommand;
  // Only a plain interpreter path: a command like `conda run -n env python` is not one.
  return command && command.length === 1 ? command[0] : undefined;
}

/** Called when the user picks another interpreter in the Python extension. */
export async function onDidChangeInterpreter(listener: () => void): Promise<vscode.Disposable | undefined> {
  let python: PythonExtensionApi | undefined;
  try {
    python = await api();
  } catch {
    return undefined;
  }
  const event = python?.environments?.onDidChangeActiveEnvironmentPath ?? python?.settings?.onDidChangeExecutionDetails;
  return event ? event(() => listener()) : undefined;
}
