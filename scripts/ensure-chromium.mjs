#!/usr/bin/env node
// Makes sure the Debian Chromium the e2e tests drive is present: installs it with apt when running
// as root, otherwise explains how. Playwright never downloads its own browser in this project.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (existsSync(path)) process.exit(0);

const hint = 'Install it with: sudo apt-get update && sudo apt-get install -y chromium  (or set CHROMIUM_PATH to a Chromium binary)';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
if (!isRoot || !hasApt || process.env.CHROMIUM_PATH) {
  console.error(`Chromium was not found at ${path}; the end-to-end tests need it.\n${hint}`);
  process.exit(1);
}
console.log('Chromium is missing: installing Debian chromium with apt-get…');
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'chromium']]) {
  const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error(`apt-get ${args.join(' ')} failed.\n${hint}`);
    process.exit(1);
  }
}
if (!existsSync(path)) {
  console.error(`apt-get installed chromium but ${path} is still missing.\n${hint}`);
  process.exit(1);
}
