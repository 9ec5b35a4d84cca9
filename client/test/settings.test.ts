import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";

import {
  ANALYSIS_KEYS,
  CLIENT_ONLY_KEYS,
  type Inspected,
  SECTION,
  SERVER_SWITCHES,
  SWITCH_DEFAULTS,
  effective,
  initializationOptions,
  serverSettings,
} from "../src/settings";

// client/out/test -> the repository root
const manifest = JSON.parse(readFileSync(path.join(__dirname, "..", "..", "..", "package.json"), "utf8"));
const properties: Record<string, { default?: unknown; scope?: string }> = manifest.contributes.configuration.properties;

/** An inspect function over package.json's defaults plus the levels given. */
function inspectWith(levels: Record<string, Omit<Inspected, "defaultValue">> = {}) {
  return (key: string): Inspected | undefined => {
    const property = properties[`${SECTION}.${key}`];
    if (!property) {
      return undefined;
    }
    return { defaultValue: property.default, ...levels[key] };
  };
}

describe("settings mapping", () => {
  it("sends only the server switches when the user set nothing (pyproject.toml stays in charge)", () => {
    assert.deepEqual(serverSettings(inspectWith()), { enable: true, inlayHints: false });
  });

  it("sends an analysis key the user set, at any level, under the server's name", () => {
    const settings = serverSettings(
      inspectWith({
        ignore: { globalValue: ["ST009"] },
        select: { workspaceValue: ["ST00"] },
        severity: { workspaceFolderValue: { ST002: "error" } },
        entrypoints: { workspaceValue: ["src/dashboard.py"] },
        perFileIgnores: { globalValue: { "tests/**": ["ST001"] } },
        exclude: { workspaceValue: ["legacy/**"] },
        inlayHints: { globalValue: true },
        enable: { workspaceValue: false },
      }),
    );
    assert.deepEqual(settings, {
      enable: false,
      inlayHints: true,
      select: ["ST00"],
      ignore: ["ST009"],
      perFileIgnores: { "tests/**": ["ST001"] },
      exclude: ["legacy/**"],
      entrypoints: ["src/dashboard.py"],
      severity: { ST002: "error" },
    });
  });

  it("lets the folder win over the workspace and the workspace over the user", () => {
    assert.deepEqual(effective({ defaultValue: [], globalValue: ["A"], workspaceValue: ["B"], workspaceFolderValue: ["C"] }), {
      value: ["C"],
      set: true,
    });
    assert.deepEqual(effective({ defaultValue: [], globalValue: ["A"], workspaceValue: ["B"] }), { value: ["B"], set: true });
    assert.deepEqual(effective({ defaultValue: [] }), { value: [], set: false });
    assert.deepEqual(effective(undefined), { value: undefined, set: false });
  });

  it("keeps an explicit empty list (the user cleared pyproject's ignore)", () => {
    assert.deepEqual(serverSettings(inspectWith({ ignore: { workspaceValue: [] } })).ignore, []);
  });

  it("never sends the interpreter or the trace level", () => {
    const settings = serverSettings(
      inspectWith({ interpreter: { globalValue: "/usr/bin/python3" }, "trace.server": { globalValue: "verbose" } }),
    );
    assert.equal("interpreter" in settings, false);
    assert.equal("trace.server" in settings, false);
    assert.equal("trace" in settings, false);
  });

  it("falls back to the switch defaults for a non-boolean value", () => {
    const settings = serverSettings(inspectWith({ enable: { globalValue: "yes" as unknown as boolean } }));
    assert.equal(settings.enable, SWITCH_DEFAULTS.enable);
  });

  it("wraps them in the section for initializationOptions", () => {
    assert.deepEqual(initializationOptions(inspectWith()), { streamlitLsp: { enable: true, inlayHints: false } });
  });
});

describe("package.json agrees with the mapping", () => {
  const declared = Object.keys(properties)
    .map((name) => name.slice(SECTION.length + 1))
    .sort();

  it("declares every key the mapping knows, and nothing else", () => {
    const known = [...SERVER_SWITCHES, ...ANALYSIS_KEYS, ...CLIENT_ONLY_KEYS].sort();
    assert.deepEqual(declared, known);
  });

  it("declares the same defaults for the switches", () => {
    for (const key of SERVER_SWITCHES) {
      assert.equal(properties[`${SECTION}.${key}`].default, SWITCH_DEFAULTS[key], key);
    }
  });

  it("lets only user settings name the interpreter", () => {
    assert.equal(properties[`${SECTION}.interpreter`].scope, "machine");
    assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations, [`${SECTION}.interpreter`]);
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, "limited");
  });

  it("contributes the commands the extension registers", () => {
    const commands = manifest.contributes.commands.map((command: { command: string }) => command.command).sort();
    assert.deepEqual(commands, ["streamlitLsp.restart", "streamlitLsp.showOutput", "streamlitLsp.showStateMap"]);
  });

  it("activates on Python files", () => {
    assert.deepEqual(manifest.activationEvents, ["onLanguage:python"]);
    assert.equal(manifest.main, "./dist/extension.js");
  });
});
