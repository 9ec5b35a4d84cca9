import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  PROBE_SCRIPT,
  type ResolveInput,
  explainInstallFailure,
  findOnPath,
  installCommand,
  installSpec,
  isInside,
  parseProbe,
  resolveInterpreter,
  safeEnv,
  shellLine,
} from "../src/python";

/** A fake file system: the executables that exist. */
function executables(...files: string[]): (file: string) => boolean {
  const set = new Set(files);
  return (file) => set.has(file);
}

function input(overrides: Partial<ResolveInput> = {}): ResolveInput {
  return {
    setting: { defaultValue: "" },
    trusted: true,
    workspaceFolders: ["/ws/app"],
    env: { PATH: "/usr/bin:/bin" },
    platform: "linux",
    isExecutable: executables("/usr/bin/python3", "/usr/bin/python", "/opt/py/bin/python", "/ws/app/.venv/bin/python"),
    homedir: "/home/me",
    ...overrides,
  };
}

describe("resolveInterpreter: the order", () => {
  it("takes the setting first", async () => {
    const resolution = await resolveInterpreter(
      input({
        setting: { defaultValue: "", globalValue: "/opt/py/bin/python" },
        pythonExtension: async () => "/ws/app/.venv/bin/python",
      }),
    );
    assert.deepEqual(resolution.interpreter, { path: "/opt/py/bin/python", source: "setting" });
  });

  it("then the Python extension's active environment", async () => {
    const resolution = await resolveInterpreter(input({ pythonExtension: async () => "/ws/app/.venv/bin/python" }));
    assert.deepEqual(resolution.interpreter, { path: "/ws/app/.venv/bin/python", source: "python-extension" });
  });

  it("then python3 on PATH, before python", async () => {
    const resolution = await resolveInterpreter(input());
    assert.deepEqual(resolution.interpreter, { path: "/usr/bin/python3", source: "path" });
  });

  it("falls back to python when there is no python3", async () => {
    const resolution = await resolveInterpreter(input({ isExecutable: executables("/bin/python") }));
    assert.deepEqual(resolution.interpreter, { path: "/bin/python", source: "path" });
  });

  it("does without the Python extension (not installed)", async () => {
    const resolution = await resolveInterpreter(input({ pythonExtension: undefined }));
    assert.equal(resolution.interpreter?.source, "path");
  });

  it("goes on when the Python extension has no interpreter or fails", async () => {
    for (const pythonExtension of [
      async () => undefined,
      async () => {
        throw new Error("not ready");
      },
      async () => "/nowhere/python",
    ]) {
      const resolution = await resolveInterpreter(input({ pythonExtension }));
      assert.deepEqual(resolution.interpreter, { path: "/usr/bin/python3", source: "path" });
    }
  });

  it("goes on, with a note, when the setting names nothing runnable", async () => {
    const resolution = await resolveInterpreter(input({ setting: { globalValue: "/missing/python" } }));
    assert.equal(resolution.interpreter?.source, "path");
    assert.match(resolution.notes.join("\n"), /\/missing\/python does not exist/);
  });

  it("refuses a relative path in the setting", async () => {
    const resolution = await resolveInterpreter(input({ setting: { globalValue: "venv/bin/python" } }));
    assert.equal(resolution.interpreter?.source, "path");
    assert.match(resolution.notes.join("\n"), /must be an absolute path/);
  });

  it("expands ~ and looks a bare command name up on PATH", async () => {
    const home = await resolveInterpreter(
      input({ setting: { globalValue: "~/py/bin/python" }, isExecutable: executables("/home/me/py/bin/python") }),
    );
    assert.deepEqual(home.interpreter, { path: "/home/me/py/bin/python", source: "setting" });
    const bare = await resolveInterpreter(
      input({ setting: { globalValue: "python3.12" }, isExecutable: executables("/bin/python3.12") }),
    );
    assert.deepEqual(bare.interpreter, { path: "/bin/python3.12", source: "setting" });
  });

  it("reports when nothing is found", async () => {
    const resolution = await resolveInterpreter(input({ isExecutable: () => false }));
    assert.equal(resolution.interpreter, undefined);
    assert.match(resolution.notes.join("\n"), /no python3 or python on PATH/);
  });
});

describe("resolveInterpreter: a workspace cannot choose the executable", () => {
  it("ignores a workspace or folder value of the setting, trusted or not", async () => {
    for (const trusted of [true, false]) {
      const resolution = await resolveInterpreter(
        input({
          trusted,
          setting: { workspaceValue: "/ws/app/.venv/bin/python", workspaceFolderValue: "/ws/app/.venv/bin/python" },
        }),
      );
      assert.deepEqual(resolution.interpreter, { path: "/usr/bin/python3", source: "path" });
      assert.match(resolution.notes.join("\n"), /only user settings can name the interpreter/);
    }
  });

  it("keeps the user's setting in an untrusted workspace", async () => {
    const resolution = await resolveInterpreter(
      input({ trusted: false, setting: { globalValue: "/opt/py/bin/python" } }),
    );
    assert.deepEqual(resolution.interpreter, { path: "/opt/py/bin/python", source: "setting" });
  });

  it("does not ask the Python extension in an untrusted workspace", async () => {
    let asked = false;
    const resolution = await resolveInterpreter(
      input({
        trusted: false,
        pythonExtension: async () => {
          asked = true;
          return "/ws/app/.venv/bin/python";
        },
      }),
    );
    assert.equal(asked, false);
    assert.deepEqual(resolution.interpreter, { path: "/usr/bin/python3", source: "path" });
    assert.match(resolution.notes.join("\n"), /not used in an untrusted workspace/);
  });

  it("skips PATH entries inside an untrusted workspace", async () => {
    const env = { PATH: "/ws/app/.venv/bin:/usr/bin" };
    const isExecutable = executables("/ws/app/.venv/bin/python3", "/usr/bin/python3");
    const untrusted = await resolveInterpreter(input({ trusted: false, env, isExecutable }));
    assert.deepEqual(untrusted.interpreter, { path: "/usr/bin/python3", source: "path" });
    assert.match(untrusted.notes.join("\n"), /\/ws\/app\/\.venv\/bin\/python3 is inside the untrusted workspace/);
    const trusted = await resolveInterpreter(input({ trusted: true, env, isExecutable }));
    assert.deepEqual(trusted.interpreter, { path: "/ws/app/.venv/bin/python3", source: "path" });
  });

  it("never uses relative PATH entries (the current folder)", async () => {
    const found = findOnPath("python3", { PATH: ".:bin:/usr/bin" }, "linux", executables("python3", "bin/python3", "/usr/bin/python3"));
    assert.equal(found.found, "/usr/bin/python3");
  });
});

describe("PATH lookup and paths", () => {
  it("uses PATHEXT and ; on Windows", () => {
    const found = findOnPath(
      "python",
      { Path: "C:\\Python312;C:\\Windows", PATHEXT: ".COM;.EXE" },
      "win32",
      executables("C:\\Python312\\python.EXE"),
    );
    assert.equal(found.found, "C:\\Python312\\python.EXE");
  });

  it("tells inside from beside", () => {
    assert.equal(isInside("/ws/app/.venv/bin/python", "/ws/app", "linux"), true);
    assert.equal(isInside("/ws/app", "/ws/app", "linux"), true);
    assert.equal(isInside("/ws/app2/bin/python", "/ws/app", "linux"), false);
    assert.equal(isInside("/usr/bin/python3", "/ws/app", "linux"), false);
    assert.equal(isInside("/ws/app/../other/python", "/ws/app", "linux"), false);
  });
});

describe("the probe", () => {
  const answer = (value: object) => ({ status: 0, stdout: JSON.stringify(value) + "\n", stderr: "" });

  it("is a script that imports nothing of the package", () => {
    assert.match(PROBE_SCRIPT, /find_spec\('streamlit_lsp'\)/);
    assert.doesNotMatch(PROBE_SCRIPT, /import streamlit_lsp/);
  });

  it("reads an installed server", () => {
    assert.deepEqual(parseProbe(answer({ python: [3, 11, 2], executable: "/v/bin/python", found: true, version: "0.1.0" })), {
      kind: "ok",
      python: "3.11.2",
      executable: "/v/bin/python",
      version: "0.1.0",
    });
  });

  it("reads a missing server", () => {
    assert.deepEqual(parseProbe(answer({ python: [3, 12, 0], executable: "/usr/bin/python3", found: false, version: null })), {
      kind: "missing",
      python: "3.12.0",
      executable: "/usr/bin/python3",
    });
  });

  it("refuses Python older than 3.10", () => {
    assert.deepEqual(parseProbe(answer({ python: [3, 9, 18], executable: "/p", found: true })), {
      kind: "too-old",
      python: "3.9.18",
    });
  });

  it("explains an interpreter that does not run", () => {
    assert.deepEqual(parseProbe({ spawnError: "ENOENT", status: null, stdout: "", stderr: "" }), {
      kind: "not-runnable",
      detail: "could not start it (ENOENT)",
    });
    const broken = parseProbe({ status: 1, stdout: "", stderr: "Fatal Python error: init_fs_encoding\n" });
    assert.equal(broken.kind, "not-runnable");
    assert.match(broken.kind === "not-runnable" ? broken.detail : "", /status 1: Fatal Python error/);
  });

  it("reads the last line (a sitecustomize may print first)", () => {
    const run = { status: 0, stdout: "hello from sitecustomize\n" + JSON.stringify({ python: [3, 10, 0], executable: "/p", found: true, version: null }), stderr: "" };
    assert.equal(parseProbe(run).kind, "ok");
  });

  it("keeps the current folder off sys.path", () => {
    assert.equal(safeEnv({ PATH: "/bin" }).PYTHONSAFEPATH, "1");
    assert.equal(safeEnv({ PATH: "/bin" }).PATH, "/bin");
  });
});

describe("the install command", () => {
  it("installs from the package index", () => {
    const spec = installSpec("/home/me/.vscode/extensions/streamlit-lsp.streamlit-lsp-0.1.0", () => false);
    assert.deepEqual(spec, ["streamlit-lsp"]);
    assert.equal(installCommand("/usr/bin/python3", spec, "linux"), "/usr/bin/python3 -m pip install streamlit-lsp");
  });

  it("installs the checkout, editable, when the extension runs from the repository", () => {
    const exists = (file: string) =>
      file === "/src/streamlit-lsp/pyproject.toml" || file === "/src/streamlit-lsp/server/streamlit_lsp/__init__.py";
    const spec = installSpec("/src/streamlit-lsp", exists);
    assert.deepEqual(spec, ["-e", "/src/streamlit-lsp"]);
    assert.equal(installCommand("/v/bin/python", spec, "linux"), "/v/bin/python -m pip install -e /src/streamlit-lsp");
  });

  it("quotes what a shell would split", () => {
    assert.equal(shellLine(["/My Pythons/python3", "-m", "pip"], "linux"), "'/My Pythons/python3' -m pip");
    assert.equal(shellLine(["it's"], "linux"), `'it'"'"'s'`);
    assert.equal(shellLine(["C:\\Program Files\\Python\\python.exe", "-m"], "win32"), '"C:\\Program Files\\Python\\python.exe" -m');
  });

  it("explains the usual failures", () => {
    assert.match(
      explainInstallFailure("error: externally-managed-environment\n× This environment is externally managed", "/usr/bin/python3"),
      /managed by the operating system.*PEP 668.*virtual environment/s,
    );
    assert.match(explainInstallFailure("/usr/bin/python3: No module named pip", "/usr/bin/python3"), /has no pip/);
    assert.match(
      explainInstallFailure("ERROR: No matching distribution found for streamlit-lsp", "/p"),
      /could not find streamlit-lsp/,
    );
    assert.equal(explainInstallFailure("", "/p"), "pip failed.");
  });
});
