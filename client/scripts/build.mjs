// Bundle the extension (client/src/extension.ts and vscode-languageclient) into
// dist/extension.js; "vscode" is provided by the editor at run time.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export async function bundle({ minify = false } = {}) {
  await build({
    absWorkingDir: root,
    entryPoints: ["client/src/extension.ts"],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    external: ["vscode"],
    outfile: "dist/extension.js",
    sourcemap: false,
    minify,
    keepNames: true,
    logLevel: "warning",
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  await bundle();
  console.log(`dist/extension.js built in ${Date.now() - started} ms`);
}
