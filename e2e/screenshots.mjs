// Makes the README's pictures from `candour serve --demo` in Debian's
// Chromium: `npm run screenshots` (after `cargo build`). Not a test.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const BIN = resolve(process.env.CANDOUR_BIN ?? '../target/debug/candour');
const OUT = resolve('../docs/images');
const dir = mkdtempSync(join(tmpdir(), 'candour-shots-'));
const env = { ...process.env };
delete env.CANDOUR_DATABASE_URL;
const server = spawn(BIN, ['serve', '--demo', '--listen', '127.0.0.1:0'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'], env });
let base;
let worker;
await new Promise((ok) => {
  createInterface({ input: server.stdout }).on('line', (line) => {
    const url = line.match(/^Candour is running at (http:\/\/[^/]+)\//);
    if (url) base = url[1];
    const who = line.match(/^\s+Care worker\s+(\S+@\S+)/);
    if (who) worker = who[1];
    if (base && worker) ok();
  });
});
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await (await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB', deviceScaleFactor: 1 })).newPage();
  await page.goto(`${base}/login`);
  await page.fill('#email', worker);
  await page.fill('#password', 'learning-from-care');
  await page.click('button:has-text("Sign in")');
  await page.waitForURL(`${base}/`);
  await page.goto(`${base}/incidents/new?kind=incident&category=fall`);
  for (const region of ['left_knee', 'right_wrist_hand', 'back_head']) {
    await page.click(`svg [data-region="${region}"]`);
  }
  await page.locator('#description').focus();
  await page.locator('#body_sites').screenshot({ path: join(OUT, 'body-map.png') });
  console.log('wrote docs/images/body-map.png');
} finally {
  await browser.close();
  server.kill();
  rmSync(dir, { recursive: true, force: true });
}
