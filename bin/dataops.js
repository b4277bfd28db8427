#!/usr/bin/env node
// Package bin. In a checkout (TypeScript sources and tsx present) it runs the sources, so a stale
// dist/ never shadows an edit; in an image with only the compiled output it runs dist/.
const path = require('node:path');
const fs = require('node:fs');
const source = path.join(__dirname, '..', 'src', 'cli', 'main.ts');
const compiled = path.join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
let tsx = false;
try {
  require.resolve('tsx/cjs');
  tsx = fs.existsSync(source);
} catch {
  tsx = false;
}
if (tsx) {
  require('tsx/cjs');
  require(source);
} else {
  require(compiled);
}
