/**
 * The extension's settings mapped onto the server's (no `vscode` import: unit tested).
 *
 * The server reads section `streamlitLsp` from initializationOptions and from
 * workspace/configuration (server/streamlit_lsp/lsp/settings.py and
 * config.apply_editor_settings). Its analysis keys are laid over the project's
 * pyproject.toml key by key, the editor winning: so an analysis setting is sent only
 * when the user set it somewhere (user, workspace or folder settings). Sending the
 * defaults (`ignore: []`) would silently override `[tool.streamlit-lsp]`.
 */

export const SECTION = "streamlitLsp";

/** Analysis keys, named as the server reads them: sent only when set by the user. */
export const ANALYSIS_KEYS = [
  "select",
  "ignore",
  "perFileIgnores",
  "exclude",
  "entrypoints",
  "severity",
] as const;

/** The server's own switches (no pyproject.toml counterpart): always sent. */
export const SERVER_SWITCHES = ["enable", "inlayHints"] as const;

/** Settings only the extension reads; never sent to the server. */
export const CLIENT_ONLY_KEYS = ["interpreter", "trace.server"] as const;

/** The defaults declared in package.json for the server switches. */
export const SWITCH_DEFAULTS: Record<(typeof SERVER_SWITCHES)[number], boolean> = {
  enable: true,
  inlayHints: false,
};

/** The shape of `WorkspaceConfiguration.inspect()` that the mapping needs. */
export interface Inspected<T = unknown> {
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

/** `key` -> the inspection of `streamlitLsp.<key>` (undefined: unknown key). */
export type Inspect = (key: string) => Inspected | undefined;

/** The value VS Code would give, and whether the user set it at any level. */
export function effective<T>(inspected: Inspected<T> | undefined): { value: T | undefined; set: boolean } {
  if (inspected === undefined) {
    return { value: undefined, set: false };
  }
  for (const value of [inspected.workspaceFolderValue, inspected.workspaceValue, inspected.globalValue]) {
    if (value !== undefined && value !== null) {
      return { value, set: true };
    }
  }
  return { value: inspected.defaultValue, set: false };
}

/** The `streamlitLsp` section as the server reads it. */
export function serverSettings(inspect: Inspect): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const key of SERVER_SWITCHES) {
    const { value } = effective(inspect(key));
    settings[key] = typeof value === "boolean" ? value : SWITCH_DEFAULTS[key];
  }
  for (const key of ANALYSIS_KEYS) {
    const { value, set } = effective(inspect(key));
    if (set) {
      settings[key] = value;
    }
  }
  return settings;
}

/** The initializationOptions sent when the server starts. */
export function initializationOptions(inspect: Inspect): Record<string, unknown> {
  return { [SECTION]: serverSettings(inspect) };
}

/** Keys whose change needs a new server process (the others are pulled by the server). */
export const RESTART_KEYS = ["interpreter"] as const;
