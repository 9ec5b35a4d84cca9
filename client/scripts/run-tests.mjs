// Run the compiled unit tests (client/out/test/*.test.js) with node's own test runner.
// Listing the files keeps this independent of how each Node version expands a folder.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const folder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../out/test");
const files = readdirSync(folder)
  .filter((name) => name.endsWith(".test.js"))
  .sort()
  .map((name) => path.join(folder, name));
if (files.length === 0) {
  console.error(`no tests in ${folder}`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ["--test", ...files], { stdio: "inherit" });
process.exit(result.status ?? 1);
