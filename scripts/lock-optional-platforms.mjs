#!/usr/bin/env node
// Re-adds lock entries for optional platform packages (other OS/CPU builds of
// duckdb, swc, msgpackr-extract, unrs-resolver …) that `npm install` leaves out
// when the registry it talks to does not serve them. Without these entries
// `npm ci` refuses the lock as "out of sync". Each added entry carries os/cpu
// (and libc) so npm skips it on every other platform without fetching it.
// Usage: npm install && node scripts/lock-optional-platforms.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2] ?? 'package-lock.json';
const lock = JSON.parse(readFileSync(file, 'utf8'));
const pk = lock.packages;
const OS = ['darwin', 'win32', 'linux', 'android', 'freebsd', 'openharmony'];
const CPU = ['arm64', 'x64', 'arm', 'ia32', 'ppc64', 's390x', 'riscv64', 'loong64', 'wasm32'];
const has = (base, tag) => new RegExp(`(^|-)${tag}(-|$)`).test(base);

/** Where npm would look for `name` from the package at `path` (nested first, then hoisted). */
function candidates(path, name) {
  const out = [];
  let base = path;
  for (;;) {
    out.push(`${base ? `${base}/` : ''}node_modules/${name}`);
    if (!base) return out;
    const i = base.lastIndexOf('/node_modules/');
    base = i >= 0 ? base.slice(0, i) : '';
  }
}

const added = [];
for (const [path, meta] of Object.entries(pk)) {
  for (const [name, spec] of Object.entries(meta.optionalDependencies ?? {})) {
    if (candidates(path, name).some((c) => c in pk)) continue;
    if (!/^\d+\.\d+\.\d+/.test(spec)) {
      console.warn(`skipped ${name}@${spec}: not an exact version`);
      continue;
    }
    const base = name.split('/').pop();
    const entry = { version: spec, optional: true };
    const os = OS.filter((o) => has(base, o));
    const cpu = CPU.filter((c) => has(base, c));
    if (os.length) entry.os = os;
    if (cpu.length) entry.cpu = cpu;
    if (base.includes('musl')) entry.libc = ['musl'];
    else if (os.length === 1 && os[0] === 'linux' && base.includes('gnu')) entry.libc = ['glibc'];
    pk[`node_modules/${name}`] = entry;
    added.push(`${name}@${spec}`);
  }
}
lock.packages = Object.fromEntries(Object.entries(pk).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(added.length ? `added ${added.length} optional platform entries:\n  ${added.join('\n  ')}` : 'lock already complete');
