// Builds the agent as one file, dist/stevedore-agent.mjs, that runs on plain Node ≥ 20 with no
// node_modules: the control plane serves it to the one-line install (GET /install/stevedore-agent.mjs).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const agentDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

// Named on the bundle's second line, where the control plane reads it (apps/web/server/install).
const version = /AGENT_VERSION = "([^"]+)"/.exec(fs.readFileSync(path.join(agentDir, "src/version.ts"), "utf8"))[1];

const result = await build({
  entryPoints: [path.join(agentDir, "src/main.ts")],
  outfile: path.join(agentDir, "dist/stevedore-agent.mjs"),
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: "eof",
  metafile: true,
  // CommonJS dependencies (dockerode, ws, pino) call require() and read __dirname: give the module both.
  banner: {
    js: [
      "#!/usr/bin/env node",
      `// stevedore-agent ${version}: the agent and its dependencies in one file (agent/scripts/bundle.mjs)`,
      'import { createRequire as __stvRequire } from "node:module"; import { fileURLToPath as __stvPath } from "node:url";',
      "const require = __stvRequire(import.meta.url); const __filename = __stvPath(import.meta.url); const __dirname = __stvPath(new URL('.', import.meta.url));",
    ].join("\n"),
  },
  plugins: [withoutUnusedTransports()],
  logLevel: "warning",
});

const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(`agent ${version} bundled: dist/stevedore-agent.mjs, ${(bytes / 1024).toFixed(0)} KiB`);

/**
 * dockerode loads two transports the agent never uses, both big and partly native: ssh2 (engines at
 * ssh://) and gRPC (BuildKit sessions for image builds). Each is replaced by a stub that fails if called,
 * which keeps about 900 KiB and every native add-on out of the bundle.
 */
function withoutUnusedTransports() {
  const stubs = {
    ssh2: "module.exports = { Client: class { constructor() { throw new Error('ssh:// engines are not supported by the bundled agent: use the engine socket'); } } };",
    session: "module.exports = (_docker, _auth, done) => done(new Error('BuildKit sessions are not supported by the bundled agent'));",
  };
  return {
    name: "without-unused-transports",
    setup(b) {
      b.onResolve({ filter: /^ssh2$/ }, () => ({ path: "ssh2", namespace: "stub" }));
      b.onResolve({ filter: /^\.\/session$/ }, (args) => (args.importer.includes(`${path.sep}dockerode${path.sep}`) ? { path: "session", namespace: "stub" } : undefined));
      b.onLoad({ filter: /.*/, namespace: "stub" }, (args) => ({ contents: stubs[args.path], loader: "js" }));
    },
  };
}
