// Journeys a person makes, in a real browser (Debian's Chromium, driven by
// playwright-core), with an axe-core check of every page state. Runs against
// `candour serve --demo` on a free port. Fails on any WCAG 2.2 A/AA
// violation axe-core finds, whatever its impact.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createServer } from 'node:net';
import { createHmac } from 'node:crypto';
import { chromium } from 'playwright-core';
import * as axe from '@axe-core/playwright';

const AxeBuilder = axe.AxeBuilder ?? axe.default?.default ?? axe.default;
const BIN = resolve(process.env.CANDOUR_BIN ?? '../target/debug/candour');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const PASSWORD = 'learning-from-care';

let server, browser, base, dir;

/** The environment without CANDOUR_DATABASE_URL, so the demo picks its own database. */
function withoutDatabase() {
  const env = { ...process.env };
  delete env.CANDOUR_DATABASE_URL;
  return env;
}
const logins = {};
/** Every email Candour sent, as { to: [addresses], data: the whole message }. */
const mails = [];

/**
 * A small SMTP server on a free port of 127.0.0.1 that keeps every message:
 * enough of RFC 5321 for Candour's client (EHLO, MAIL, RCPT, DATA, QUIT).
 */
function smtpSink() {
  return new Promise((ok) => {
    const server = createServer((sock) => {
      let buf = '';
      let data = null;
      let to = [];
      sock.on('error', () => {});
      sock.write('220 localhost ESMTP\r\n');
      sock.on('data', (chunk) => {
        buf += chunk.toString('latin1');
        let i;
        while ((i = buf.indexOf('\r\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (data !== null) {
            if (line === '.') {
              mails.push({ to, data });
              data = null;
              to = [];
              sock.write('250 OK\r\n');
            } else {
              data += (line.startsWith('..') ? line.slice(1) : line) + '\r\n';
            }
            continue;
          }
          const verb = line.slice(0, 4).toUpperCase();
          if (verb === 'EHLO') sock.write('250-localhost\r\n250 8BITMIME\r\n');
          else if (verb === 'RCPT') {
            to.push((line.match(/<([^>]*)>/) || [])[1] || '');
            sock.write('250 OK\r\n');
          } else if (verb === 'DATA') {
            data = '';
            sock.write('354 End data with <CR><LF>.<CR><LF>\r\n');
          } else if (verb === 'QUIT') sock.end('221 Bye\r\n');
          else sock.write('250 OK\r\n');
        }
      });
    });
    server.listen(0, '127.0.0.1', () => ok(server));
  });
}

/** A message's text, decoded from base64 or quoted-printable. */
function bodyOf(message) {
  const at = message.indexOf('\r\n\r\n');
  const head = message.slice(0, at).toLowerCase();
  const body = message.slice(at + 4);
  if (head.includes('content-transfer-encoding: base64')) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (head.includes('content-transfer-encoding: quoted-printable')) {
    return Buffer.from(body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
  }
  return body;
}

/** Waits up to 30 s for an email to `address` holding a set-password link, and returns the link. */
async function emailedLink(address) {
  for (let i = 0; i < 300; i += 1) {
    const mail = [...mails].reverse().find((m) => m.to.includes(address));
    const link = mail && bodyOf(mail.data).match(/https?:\/\/\S+\/set-password\/[A-Za-z0-9_-]+/);
    if (link) return link[0];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no link emailed to ${address}`);
}
let smtp;

/** The 6-digit code (RFC 6238) of a base32 secret for the 30-second step `step`. */
function totp(secretBase32, step) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secretBase32.replace(/\s+/g, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const hash = createHmac('sha1', key).update(counter).digest();
  const offset = hash[hash.length - 1] & 0x0f;
  const value = (hash.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, '0');
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'candour-e2e-'));
  smtp = await smtpSink();
  const smtpUrl = `smtp://127.0.0.1:${smtp.address().port}`;
  server = spawn(BIN, ['serve', '--demo', '--listen', '127.0.0.1:0', '--smtp-url', smtpUrl, '--mail-from', 'Candour <candour@example.org>'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'], env: withoutDatabase() });
  const lines = createInterface({ input: server.stdout });
  await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('candour did not start within 60 s')), 60_000);
    lines.on('line', (line) => {
      const url = line.match(/^Candour is running at (http:\/\/[^/]+)\//);
      if (url) base = url[1];
      const who = line.match(/^\s+(Care worker|Registered manager|Board member|Administrator|Speaking-up guardian|Senior carer)\s+(\S+@\S+)/);
      if (who) logins[who[1]] = who[2];
      if (base && logins['Care worker'] && logins['Registered manager'] && logins['Board member'] && logins['Administrator'] && logins['Speaking-up guardian']) {
        clearTimeout(timer);
        ok();
      }
    });
    server.on('exit', (code) => fail(new Error(`candour exited with ${code}`)));
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill();
  smtp?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Fails on any WCAG 2.2 A/AA violation on the page as it is now, whatever its impact. */
async function accessible(page, state) {
  if (process.env.E2E_DEBUG) console.error('checking', state);
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze();
  const bad = results.violations
    .map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(bad, [], `accessibility problems on ${state}`);
  assert.equal(await page.locator('h1').count(), 1, `one h1 on ${state}`);
}

/**
 * The reporter's minute: counts every input, and checks that each is below
 * the one before it on the same page, so the reporter never scrolls back.
 */
function reporterMinute(page) {
  const state = { inputs: 0, url: null, lastY: -Infinity };
  const act = async (selector, action) => {
    state.inputs += 1;
    if (page.url() !== state.url) { state.url = page.url(); state.lastY = -Infinity; }
    const box = await page.locator(selector).first().boundingBox();
    const y = box.y + await page.evaluate(() => window.scrollY);
    assert.ok(y >= state.lastY - 1, `${selector} is above the input before it: the reporter would have to scroll back`);
    state.lastY = y;
    await action(page.locator(selector).first());
  };
  return { act, inputs: () => state.inputs };
}

async function signIn(page, email) {
  await page.goto(`${base}/login`);
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await page.click('button:has-text("Sign in")');
  await page.waitForURL(`${base}/`);
}

test('a care worker reports a near miss on a phone, and the manager reads it', async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB' });
  const page = await phone.newPage();

  await page.goto(`${base}/login`);
  await accessible(page, 'the sign-in page');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Skip to main content', 'the first Tab reaches the skip link');
  await page.click('button:has-text("Sign in")');
  assert.ok(await page.locator('.error-summary').isVisible(), 'an error summary');
  await accessible(page, 'the sign-in page with errors');

  await signIn(page, logins['Care worker']);
  assert.ok(await page.locator('.demo-banner').isVisible(), 'the demo banner');
  await accessible(page, "the care worker's home page");

  // The reporter's minute: count every input a near miss needs (the issue allows 8).
  const { act, inputs } = reporterMinute(page);
  await page.click('text=Report an incident or near miss');
  await accessible(page, 'the first step of the report');
  await act('#kind-near_miss', (el) => el.check());
  await act('#category-medication', (el) => el.check());
  await act('button:has-text("Continue")', (el) => el.click());
  await accessible(page, 'the medication report form');
  await page.click('button:has-text("Send report")');
  const summary = await page.locator('.error-summary').textContent();
  assert.ok(summary.includes('Describe what happened') && summary.includes('Choose what went wrong with the medicine'));
  await accessible(page, 'the report form with errors');
  await act('#error_type', (el) => el.selectOption('wrong_person'));
  await act('#description', (el) => el.fill('Browser journey: two residents’ tablets swapped on the trolley, caught before giving.'));
  await act('button:has-text("Send report")', (el) => el.click());
  assert.ok(inputs() <= 8, `a near miss took ${inputs()} inputs`);
  const panel = await page.locator('.panel').textContent();
  const reference = panel.match(/INC-\d{6}/)?.[0];
  assert.ok(reference, 'a reference is shown');
  await accessible(page, 'the confirmation');

  await page.click('text=My reports');
  assert.ok((await page.content()).includes(reference));
  await accessible(page, 'my reports');
  await phone.close();

  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const manager = await desk.newPage();
  await signIn(manager, logins['Registered manager']);
  await accessible(manager, "the registered manager's home page");
  await manager.click('table a:has-text("Ashdown House")');
  await accessible(manager, 'the service incident list');
  await manager.click(`text=${reference}`);
  assert.ok((await manager.content()).includes('two residents’ tablets swapped'));
  await accessible(manager, 'the incident page');
  await manager.click('text=History of this record');
  await accessible(manager, 'the history page');
  await manager.goto(`${base}/account/password`);
  await accessible(manager, 'the change password page');
  await manager.goto(`${base}/account/tokens`);
  await accessible(manager, 'the API tokens page');
  await desk.close();
});

test('reporting works with JavaScript turned off', async () => {
  // axe needs script, so this journey checks function only; the pages are the
  // same markup with or without script (Candour ships none).
  const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, javaScriptEnabled: false, locale: 'en-GB' });
  const page = await ctx.newPage();
  await signIn(page, logins['Care worker']);
  await page.click('text=Report an incident or near miss');
  await page.check('#kind-good_practice');
  await page.check('#category-other');
  await page.click('button:has-text("Continue")');
  await page.fill('#description', 'No-script journey: night staff noticed a change in breathing early.');
  await page.click('button:has-text("Send report")');
  assert.match(await page.locator('.panel').textContent(), /INC-\d{6}/);
  await ctx.close();
});

test('a board member opens the monthly board report, picks a region and downloads the PDF', async () => {
  const ctx = await browser.newContext({ locale: 'en-GB', acceptDownloads: true });
  const page = await ctx.newPage();
  await signIn(page, logins['Board member']);
  await page.click('nav a:has-text("Reports")');
  await page.click('a:has-text("Monthly board report")');
  await page.waitForURL(`${base}/reports/board`);
  assert.match(await page.locator('h1').textContent(), /^Board report: [A-Z][a-z]+ \d{4}$/);
  assert.equal(await page.locator('img.spc-image').count(), 5, 'five charts');
  for (const alt of await page.locator('img.spc-image').evaluateAll((els) => els.map((e) => e.alt))) {
    assert.match(alt, /per month in .+: \d+ in [A-Z][a-z]{2} \d{4}; mean/, alt);
  }
  await accessible(page, 'the board report');
  const region = await page.locator('#scope option').nth(1);
  const label = (await region.textContent()).trim();
  await page.selectOption('#scope', { index: 1 });
  await page.click('button:has-text("Show")');
  await page.waitForURL(/\/reports\/board\?month=\d{4}-\d{2}&scope=region/);
  assert.equal((await page.locator('.caption').first().textContent()).trim(), label);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('a:has-text("Download the PDF")'),
  ]);
  assert.match(download.suggestedFilename(), /^candour-board-report-\d{4}-\d{2}\.pdf$/);
  const bytes = await readFile(await download.path());
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
  await ctx.close();
});

test('the registered manager downloads the CQC evidence pack, by code unless she says why names are needed', async () => {
  const ctx = await browser.newContext({ locale: 'en-GB', acceptDownloads: true });
  const page = await ctx.newPage();
  await signIn(page, logins['Registered manager']);
  await page.click('nav a:has-text("Reports")');
  await page.click('a:has-text("CQC evidence pack")');
  await page.waitForURL(`${base}/evidence`);
  await accessible(page, 'the evidence pack form');
  await page.selectOption('#service', { index: 1 });
  await page.check('#identify-names');
  await page.click('button:has-text("Download the evidence pack")');
  await page.waitForSelector('.error-summary');
  assert.match(await page.locator('.error-summary').textContent(), /Say why the pack must name people/);
  await accessible(page, 'the evidence pack form with an error');
  await page.check('#identify-codes');
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 120000 }),
    page.click('button:has-text("Download the evidence pack")'),
  ]);
  assert.match(download.suggestedFilename(), /^candour-evidence-[a-z-]+-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.zip$/);
  const bytes = await readFile(await download.path());
  assert.equal(bytes.subarray(0, 4).toString('hex'), '504b0304', 'a ZIP');
  await ctx.close();
});

test('a board member sees counts only, and the register and not-found pages are accessible', async () => {
  const ctx = await browser.newContext({ locale: 'en-GB' });
  const page = await ctx.newPage();
  await signIn(page, logins['Board member']);
  await accessible(page, "the board member's home page");
  assert.equal(await page.locator('a[href^="/services/"]').count(), 0, 'no links into named lists');
  await page.goto(`${base}/no-such-page`);
  await accessible(page, 'the not-found page');
  await ctx.close();

  const rm = await browser.newContext({ locale: 'en-GB' });
  const p = await rm.newPage();
  await signIn(p, logins['Registered manager']);
  await p.click('a:has-text("People")');
  await accessible(p, 'the register of people');
  await p.click('text=Add a person');
  await accessible(p, 'the add-a-person form');
  await p.fill('#nhs_number', '123');
  await p.click('button:has-text("Add to the register")');
  await accessible(p, 'the add-a-person form with errors');
  await rm.close();
});

test('a fall where the head was struck shows the NICE prompts and the checks', async () => {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB' });
  const page = await ctx.newPage();
  await signIn(page, logins['Care worker']);
  await page.click('text=Report an incident or near miss');
  const { act, inputs } = reporterMinute(page);
  await act('#kind-incident', (el) => el.check());
  await act('#category-fall', (el) => el.check());
  await act('button:has-text("Continue")', (el) => el.click());
  await accessible(page, 'the fall report form');
  await act('#seen-witnessed', (el) => el.check());
  await act('#head_struck-yes', (el) => el.check());
  await act('#anticoagulant-no', (el) => el.check());
  // The body map: a click on the figure, and the keyboard on another region.
  await act('svg [data-region="left_knee"]', (el) => el.click());
  assert.ok(await page.isChecked('#body_sites-left_knee'), 'the figure ticks the coded region');
  await page.focus('svg [data-region="face"]');
  await page.keyboard.press('Space');
  assert.equal(await page.getAttribute('svg [data-region="face"]', 'aria-checked'), 'true');
  await accessible(page, 'the fall form with the body map marked');
  await act('#description', (el) => el.fill('Browser journey: slipped getting out of the chair and hit her head on the table.'));
  await act('#immediate_actions', (el) => el.fill('Checked for injury, neuro observations started, 111 called.'));
  await act('button:has-text("Send report")', (el) => el.click());
  assert.ok(inputs() <= 15, `a witnessed fall took ${inputs()} inputs`);
  await page.waitForURL(/\?reported=1/);
  assert.equal(await page.locator('svg[role="img"][aria-label="Front of the body: Face, Left knee"]').count(), 1, 'the report shows the marked body map');
  assert.ok((await page.locator('.warning-callout').textContent()).includes('Possible head injury'));
  assert.ok((await page.content()).includes('Check for bruising and skin damage (48 hours)'));
  await accessible(page, 'the confirmation with the NICE prompts');
  await ctx.close();
});

test('someone reports anonymously from the poster link and follows it with the case code', async () => {
  const desk = await browser.newContext({ locale: 'en-GB' });
  const manager = await desk.newPage();
  await signIn(manager, logins['Registered manager']);
  await manager.click('table a:has-text("Poster")');
  await accessible(manager, 'the poster');
  const link = (await manager.locator('.poster-link').textContent()).trim();
  assert.match(link, /\/report\/[A-Za-z0-9_-]+$/);

  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB' });
  const page = await phone.newPage();
  await page.goto(link);
  await accessible(page, 'the anonymous form');
  await page.check('#kind-incident');
  await page.check('#category-safeguarding');
  await page.click('button:has-text("Continue")');
  await accessible(page, 'the anonymous safeguarding form');
  await page.selectOption('#abuse_type', 'psychological');
  await page.fill('#description', 'Browser journey: a resident is shouted at during personal care on nights.');
  await page.fill('#immediate_actions', 'Told no one yet: I am worried about saying.');
  await page.click('button:has-text("Send anonymously")');
  const code = (await page.locator('.case-code').textContent()).trim();
  assert.match(code, /^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  await accessible(page, 'the case code page');

  await page.goto(new URL('/case', link).toString());
  await accessible(page, 'the case code form');
  await page.fill('#code', code.toLowerCase());
  await page.click('button:has-text("Show my report")');
  assert.ok((await page.content()).includes('Incident: Safeguarding concern'));
  await accessible(page, 'the anonymous case page');
  await phone.close();
  await desk.close();
});

/** The demo's display name behind an email such as amelia.jones2@brightwater.example. */
function nameOf(email) {
  return email.split('@')[0].replace(/\d+$/, '').split('.')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
}

test('a care worker reports a colleague, who then finds nothing of it', async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB' });
  const page = await phone.newPage();
  await signIn(page, logins['Care worker']);
  await page.goto(`${base}/incidents/new?kind=incident&category=safeguarding`);
  await page.selectOption('#abuse_type', 'physical');
  await page.check('#alleged_by-staff');
  await page.fill('#description', 'Browser journey: a resident says a carer slapped her arm during the night check.');
  await page.fill('#immediate_actions', 'Stayed with her, checked her arm, told the nurse in charge.');
  await page.click('button:has-text("Send report")');
  await page.waitForURL(/\/incidents\/INC-\d{6}\?reported=1/);
  const reference = page.url().match(/INC-\d{6}/)[0];
  await accessible(page, 'the report with the form to name a member of staff');
  const colleague = nameOf(logins['Senior carer']);
  await page.selectOption('#staff-user', { label: colleague });
  await page.selectOption('#staff-role', 'alleged_perpetrator');
  await page.click('button:has-text("Name them")');
  assert.ok((await page.content()).includes('Alleged to have caused harm'), 'the reporter keeps their report');
  await accessible(page, 'the report after naming a colleague');

  const desk = await browser.newContext({ locale: 'en-GB' });
  const named = await desk.newPage();
  await signIn(named, logins['Senior carer']);
  const opened = await named.goto(`${base}/incidents/${reference}`);
  assert.equal(opened.status(), 404, 'the colleague named cannot open it');
  for (const path of ['/', '/triage', '/my-reports', '/duties']) {
    await named.goto(`${base}${path}`);
    const body = await named.content();
    assert.ok(!body.includes(reference), `${reference} is not on ${path}`);
    assert.ok(!body.includes('slapped her arm'), `nothing of it on ${path}`);
  }
  await desk.close();
  await phone.close();
});

test('a care worker speaks up anonymously, the guardian answers, and the manager never sees it', async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB' });
  const page = await phone.newPage();
  await signIn(page, logins['Care worker']);
  await page.click('nav a:has-text("Speak up")');
  await accessible(page, 'the speaking-up form');
  await page.click('button:has-text("Raise the concern")');
  assert.ok((await page.content()).includes('Choose what your concern is about'));
  await accessible(page, 'the speaking-up form with errors');
  await page.check('#theme-bullying');
  await page.selectOption('#service_id', { index: 1 });
  await page.fill('#description', 'Browser journey: a senior mocks new starters in the staff room.');
  await page.check('#identity-anonymous');
  await page.click('button:has-text("Raise the concern")');
  const code = (await page.locator('.case-code').textContent()).trim();
  assert.match(code, /^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  await accessible(page, 'the speaking-up case code');
  const reference = (await page.content()).match(/reference is (SPK-\d{6})/)[1];

  const desk = await browser.newContext({ locale: 'en-GB' });
  const guardian = await desk.newPage();
  await signIn(guardian, logins['Speaking-up guardian']);
  await guardian.click('a:has-text("Open your concerns")');
  await accessible(guardian, 'the guardian list');
  await guardian.click(`a:has-text("${reference}")`);
  assert.ok((await guardian.content()).includes('mocks new starters'));
  assert.ok((await guardian.content()).includes('Anonymous'));
  await accessible(guardian, 'a concern for its guardian');
  await guardian.fill('#ack-message', 'Thank you. Which days does this happen?');
  await guardian.click('button:has-text("Acknowledge the concern")');
  assert.ok((await guardian.content()).includes('Being looked into'));

  const managerContext = await browser.newContext({ locale: 'en-GB' });
  const manager = await managerContext.newPage();
  await signIn(manager, logins['Registered manager']);
  const hidden = await manager.goto(`${base}/speaking-up/${reference}`);
  assert.equal(hidden.status(), 404);
  await manager.goto(`${base}/speaking-up`);
  assert.ok(!(await manager.content()).includes(reference));

  await page.goto(`${base}/speaking-up/case`);
  await accessible(page, 'the speaking-up case form');
  await page.fill('#code', code);
  await page.click('button:has-text("Show my concern")');
  assert.ok((await page.content()).includes('Which days does this happen?'));
  await accessible(page, 'the anonymous concern');
  await page.fill('#message', 'Mostly at the weekend.');
  await page.click('button:has-text("Send message")');
  assert.ok((await page.content()).includes('Mostly at the weekend.'));
  await managerContext.close();
  await desk.close();
  await phone.close();
});

// A care worker's phone with the report form open, ready to work offline, and then the signal lost.
async function phoneWithSignalLost() {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB' });
  const page = await phone.newPage();
  await signIn(page, logins['Care worker']);
  await page.goto(`${base}/incidents/new?kind=near_miss&category=environment`);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await phone.setOffline(true);
  return { phone, page };
}

test('two reports written with no signal are sent exactly once each when the phone is back online', async () => {
  const { phone, page } = await phoneWithSignalLost();
  for (const n of [1, 2]) {
    await page.fill('#description', `Offline journey ${n}: water on the floor by the back door, mopped before anyone slipped.`);
    await page.click('button:has-text("Send report")');
    await page.waitForFunction((want) => (document.getElementById('outbox-status')?.textContent || '').includes(`Waiting to send (${want})`), n);
  }
  await accessible(page, 'the form with reports waiting to send');
  await phone.setOffline(false);
  await page.waitForFunction(() => /Sent: INC-\d{6}, INC-\d{6}\./.test(document.getElementById('outbox-status')?.textContent || ''), null, { timeout: 15000 });
  const status = await page.locator('#outbox-status').textContent();
  const refs = status.match(/INC-\d{6}/g);
  assert.equal(new Set(refs).size, 2, status);
  await page.goto(`${base}/my-reports`);
  const mine = await page.content();
  for (const ref of refs) { assert.ok(mine.includes(ref), `${ref} is in My reports`); }
  assert.equal((mine.match(/Offline journey 1:/g) || []).length, 1, 'the first report exists once');
  assert.equal((mine.match(/Offline journey 2:/g) || []).length, 1, 'the second report exists once');
  // Exactly once: each offline text appears once among the reports.
  await page.goto(`${base}/incidents/${refs[0]}`);
  assert.ok((await page.content()).includes('sent when the phone was back online'));
  await phone.close();
});

test('a report left waiting on a shared phone is sealed from the next person and sent when its writer signs in again', async () => {
  const { phone, page } = await phoneWithSignalLost();
  await page.fill('#description', 'Sealed journey: the fire door by the lounge was wedged open with a chair.');
  await page.click('button:has-text("Send report")');
  await page.waitForFunction(() => (document.getElementById('outbox-status')?.textContent || '').includes('Waiting to send (1)'));
  const stored = () => page.evaluate(() => JSON.stringify(localStorage));
  assert.ok(!(await stored()).includes('Sealed journey'), 'nothing readable is left on the phone');
  assert.ok(!(await stored()).includes('fire door'), 'not a word of it');

  // Their session ends; the registered manager picks up the phone and signs in.
  await phone.clearCookies();
  await phone.setOffline(false);
  await signIn(page, logins['Registered manager']);
  await page.goto(`${base}/incidents/new?kind=near_miss&category=environment`);
  await page.waitForFunction(() => (document.getElementById('outbox-status')?.textContent || '').includes('written by someone else on this phone'));
  assert.ok(!(await page.content()).includes('Sealed journey'));
  assert.ok(!(await stored()).includes('Sealed journey'), 'still sealed');
  await accessible(page, 'the form with someone else\'s report waiting');
  await page.goto(`${base}/my-reports`);
  assert.ok(!(await page.content()).includes('Sealed journey'), 'never filed as the manager');

  // Its writer signs in again: it is opened and sent, once.
  await phone.clearCookies();
  await signIn(page, logins['Care worker']);
  // Every page carries the outbox, so the first page they open sends it.
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('candour-outbox') || '[]').length === 0, null, { timeout: 15000 });
  await page.goto(`${base}/my-reports`);
  assert.equal(((await page.content()).match(/Sealed journey:/g) || []).length, 1, 'filed once, as its writer');
  await phone.close();
});

test('a reporter finds a witness by room and names a colleague involved', async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB' });
  const page = await phone.newPage();
  await signIn(page, logins['Care worker']);
  await page.goto(`${base}/incidents/new?kind=incident&category=behaviour`);
  await page.fill('#find-list-1', 'zzzz-nobody');
  assert.equal(await page.locator('#affected_person_ids .checkbox:visible').count(), 0, 'the affected list filters as you type');
  await page.fill('#find-list-1', '');
  await page.click('summary:has-text("Witnesses, staff and anyone else involved")');
  await accessible(page, 'the report form with the involved section open');
  await page.fill('#find-involved', 'room 1');
  const people = page.locator('#involved_who-1 optgroup[label="People using the service"] option');
  assert.ok(await people.count() > 0, 'someone in a room starting with 1');
  for (const text of await people.allTextContents()) assert.match(text.toLowerCase(), /room 1/);
  const witness = await people.first().getAttribute('value');
  await page.selectOption('#involved_who-1', witness);
  await page.selectOption('#involved_role-1', 'witness');
  await page.fill('#find-involved', '');
  const lines = await page.locator('.involved-line').count();
  await page.click('button:has-text("Add another person")');
  assert.equal(await page.locator('.involved-line').count(), lines + 1, 'one more line');
  const n = lines + 1;
  const colleague = await page.locator(`#involved_who-${n} optgroup[label="Staff"] option`).first().getAttribute('value');
  await page.selectOption(`#involved_who-${n}`, colleague);
  await page.selectOption(`#involved_role-${n}`, 'staff_involved');
  await page.fill('#description', 'Browser journey: shouting in the lounge after a television dispute.');
  await page.fill('#immediate_actions', 'Separated, offered tea, calmed within ten minutes.');
  await page.click('button:has-text("Send report")');
  await page.waitForURL(/\/incidents\/INC-\d{6}\?reported=1/);
  const shown = await page.content();
  assert.match(shown, /\(P-\d{6}\), Witness/);
  assert.match(shown, /\(staff\), Staff involved/);
  await phone.close();
});

test('the manager gives feedback and the reporter sees it in My reports', async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB' });
  const page = await phone.newPage();
  await signIn(page, logins['Care worker']);
  await page.goto(`${base}/incidents/new?kind=near_miss&category=equipment`);
  await page.fill('#description', 'Browser journey: hoist battery left uncharged overnight, found at handover.');
  await page.click('button:has-text("Send report")');
  const reference = (await page.locator('.panel').textContent()).match(/INC-\d{6}/)[0];

  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const manager = await desk.newPage();
  await signIn(manager, logins['Registered manager']);
  await manager.goto(`${base}/incidents/${reference}`);
  await manager.click('button:has-text("Send feedback")');
  assert.ok(await manager.locator('.error-summary').isVisible(), 'empty feedback is refused');
  await accessible(manager, 'the incident page with a feedback error');
  await manager.fill('#feedback', 'Thank you. Chargers now have a checklist on every night shift.');
  await manager.click('button:has-text("Send feedback")');
  assert.ok((await manager.content()).includes('First feedback'), 'the time to feedback shows');
  await accessible(manager, 'the incident page with feedback');
  await desk.close();

  await page.goto(`${base}/`);
  assert.match(await page.locator('nav').textContent(), /1 new/);
  await page.click('text=My reports');
  await accessible(page, 'my reports with something new');
  await page.click(`a:has-text("Feedback on your report: ${reference}")`);
  assert.ok((await page.content()).includes('Chargers now have a checklist'));
  await accessible(page, 'the report with its feedback, as the reporter');
  await phone.close();
});

test('a report interrupted by care is saved as a draft and carried on later', async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB' });
  const page = await phone.newPage();
  await signIn(page, logins['Care worker']);
  await page.goto(`${base}/incidents/new?kind=near_miss&category=infection`);
  await page.fill('#description', 'Browser journey: gloves box empty in the sluice room at the start of');
  await page.waitForFunction(() => /Draft saved at \d\d:\d\d/.test(document.getElementById('autosave-status')?.textContent || ''), null, { timeout: 10000 });
  await accessible(page, 'the report form after an autosave');
  await page.goto(`${base}/my-reports`);
  await accessible(page, 'my reports with a draft');
  await page.click('a:has-text("Carry on: Near miss: Infection")');
  assert.match(await page.locator('#draft-notice').textContent(), /Carrying on with your draft/);
  assert.equal(await page.inputValue('#description'), 'Browser journey: gloves box empty in the sluice room at the start of');
  await page.fill('#description', 'Browser journey: gloves box empty in the sluice room at the start of the shift.');
  await page.click('button:has-text("Send report")');
  await page.waitForURL(/\?reported=1/);
  await page.goto(`${base}/my-reports`);
  assert.equal(await page.locator('text=Carry on: Near miss: Infection').count(), 0, 'the draft went with the report');
  await phone.close();

  // Without script: the "Save as draft" button.
  const plain = await browser.newContext({ viewport: { width: 360, height: 740 }, javaScriptEnabled: false, locale: 'en-GB' });
  const p = await plain.newPage();
  await signIn(p, logins['Care worker']);
  await p.goto(`${base}/incidents/new?kind=incident&category=choking`);
  await p.fill('#description', 'No-script journey: coughing at lunch, back blows given,');
  await p.click('button:has-text("Save as draft")');
  assert.match(await p.locator('#draft-notice').textContent(), /Saved as a draft at \d\d:\d\d/);
  assert.equal(await p.inputValue('#description'), 'No-script journey: coughing at lunch, back blows given,');
  await plain.close();
});

test('on a shared tablet a care worker signs in with their name and PIN', async () => {
  const tablet = await browser.newContext({ viewport: { width: 800, height: 1100 }, locale: 'en-GB' });
  const t = await tablet.newPage();
  await signIn(t, logins['Registered manager']);
  await t.click('a:has-text("Devices")');
  await accessible(t, 'the shared devices page');
  await t.fill('#label', 'Browser journey tablet');
  await t.click('button:has-text("Trust this device")');
  assert.ok((await t.content()).includes('This device'), 'the device is marked as this one');
  await t.click('button:has-text("Sign out")');

  const own = await browser.newContext({ locale: 'en-GB' });
  const o = await own.newPage();
  await signIn(o, logins['Care worker']);
  await o.click('a:has-text("Quick sign-in PIN")');
  await accessible(o, 'the PIN page');
  await o.fill('#current_password', PASSWORD);
  await o.fill('#pin', '111111');
  await o.fill('#confirm_pin', '111111');
  await o.click('button:has-text("Set my PIN")');
  assert.ok(await o.locator('.error-summary').isVisible(), 'a repeated digit is refused');
  await accessible(o, 'the PIN page with an error');
  await o.fill('#current_password', PASSWORD);
  await o.fill('#pin', '582914');
  await o.fill('#confirm_pin', '582914');
  await o.click('button:has-text("Set my PIN")');
  assert.match(await o.locator('#pin-done').textContent(), /Your PIN is set/);
  await own.close();

  await t.goto(`${base}/login`);
  await accessible(t, 'the sign-in page on a trusted device');
  const who = await t.locator('#pin_user option', { hasText: /\S/ }).allTextContents();
  assert.ok(who.length >= 2, 'the care worker is listed');
  const value = await t.locator('#pin_user option').nth(1).getAttribute('value');
  await t.selectOption('#pin_user', value);
  await t.fill('#pin', '582914');
  await t.click('button:has-text("Sign in with PIN")');
  await t.waitForURL(`${base}/`);
  assert.match(await t.locator('h1').textContent(), /Hello, /);
  await tablet.close();
});

test('the registered manager triages a report from the queue, reviews it and signs it off', async () => {
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const page = await desk.newPage();
  await signIn(page, logins['Registered manager']);
  await page.click('nav a:has-text("Triage")');
  await accessible(page, 'the triage queue');
  const first = page.locator('table tbody tr').first();
  assert.match(await first.textContent(), /Triage: (Due in|Overdue by)/);
  const reference = (await first.locator('th a').textContent()).trim();
  await page.goto(`${base}/incidents/${reference}/triage`);
  await accessible(page, 'the triage form');
  await page.click('button:has-text("Save the triage")');
  assert.ok(await page.locator('.error-summary').isVisible(), 'an unanswered triage is refused');
  await accessible(page, 'the triage form with errors');
  await page.check('#physical_harm-low');
  await page.check('#psychological_harm-none');
  await page.check('#consequence-2');
  await page.check('#likelihood-2');
  await page.check('#learning_response-local_review');
  await page.click('button:has-text("Save the triage")');
  await page.waitForURL(`${base}/incidents/${reference}#triage`);
  assert.match(await page.locator('#triage').textContent(), /4 \(Moderate\)/);
  await accessible(page, 'the incident page after triage');
  await page.click('button:has-text("Start the review")');
  await page.click('button:has-text("Review done: ask for sign-off")');
  await page.click('button:has-text("Sign off and close")');
  assert.match(await page.locator('#next .error-summary').textContent(), /Write a sign-off note/);
  await accessible(page, 'the sign-off refused with its reasons');
  await page.fill('#note', 'Browser journey: reviewed at the huddle.');
  await page.fill('#recommendations', 'Browser journey: add this to the morning checks.');
  if (await page.locator('#close-feedback').count() > 0) {
    await page.fill('#close-feedback', 'Browser journey: thank you, we have changed the morning checks.');
  }
  await page.click('button:has-text("Sign off and close")');
  await page.waitForURL(`${base}/incidents/${reference}#next`);
  assert.match(await page.locator('p .tag').first().textContent(), /Closed/);
  assert.match(await page.locator('#next').textContent(), /Recommendations to prevent it happening again/);
  await accessible(page, 'the closed incident with its sign-off');
  await page.goto(`${base}/digest`);
  assert.match(await page.locator('h1').textContent(), /Daily digest/);
  await accessible(page, 'the daily digest');
  await page.click('nav a:has-text("Reports")');
  await accessible(page, 'the list of reports');
  await page.click('a:has-text("Timescale breaches by month")');
  await accessible(page, "last month's breach report");
  await page.selectOption('#month', { index: 0 });
  await page.click('button:has-text("Show")');
  assert.match(await page.locator('h1').textContent(), /Timescale breaches in /);
  await accessible(page, "this month's breach report");
  await desk.close();
});

test('the registered manager keeps an improvement plan', async () => {
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const page = await desk.newPage();
  await signIn(page, logins['Registered manager']);
  await page.click('a:has-text("Improvement plan")');
  await accessible(page, 'the improvement plan');
  await page.click('button:has-text("Add the action")');
  assert.ok(await page.locator('#add-action .error-summary').isVisible(), 'an empty action is refused');
  await accessible(page, 'the improvement plan with errors');
  await page.fill('#title', 'Browser journey: night checks of the fire doors');
  await page.fill('#action_description', 'Night senior checks every fire door at 02:00 and signs the log; weekly audit.');
  await page.selectOption('#owner', { index: 1 });
  const due = new Date(Date.now() + 14 * 86400000).toISOString().slice(0, 10);
  await page.fill('#due_on', due);
  await page.check('#themes-risk_assessment');
  await page.click('button:has-text("Add the action")');
  const link = page.locator('table a[href^="/actions/ACT-"]').first();
  await link.click();
  await accessible(page, 'an action');
  await page.selectOption('#status', 'done');
  await page.fill('#evidence', 'Browser journey: log signed every night this week.');
  await page.click('button:has-text("Save")');
  assert.match(await page.locator('.summary-list').textContent(), /Browser journey: log signed every night/);
  await desk.close();
});

/** Today in the UK, YYYY-MM-DD. */
function ukToday() {
  return new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
}

/** A near miss reported by the care worker on a phone; returns its reference. */
async function reportNearMiss(description) {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB' });
  const page = await phone.newPage();
  await signIn(page, logins['Care worker']);
  await page.goto(`${base}/incidents/new?kind=near_miss&category=equipment`);
  await page.fill('#description', description);
  await page.click('button:has-text("Send report")');
  const reference = (await page.locator('.panel').textContent()).match(/INC-\d{6}/)[0];
  return { phone, page, reference };
}

/** Triages `reference` on the manager's page with the given risk and response. */
async function triage(page, reference, { consequence, likelihood, response, harm = 'none' }) {
  await page.goto(`${base}/incidents/${reference}/triage`);
  await page.check(`#physical_harm-${harm}`);
  await page.check('#psychological_harm-none');
  await page.check(`#consequence-${consequence}`);
  await page.check(`#likelihood-${likelihood}`);
  await page.check(`#learning_response-${response}`);
  await page.click('button:has-text("Save the triage")');
  await page.waitForURL(`${base}/incidents/${reference}#triage`);
}

test('triage, an action plan and sign-off, and the reporter sees the feedback', async () => {
  const { phone, page: reporter, reference } = await reportNearMiss('Browser journey: sensor mat cable found unplugged at the 02:00 check.');

  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const page = await desk.newPage();
  await signIn(page, logins['Registered manager']);
  await page.goto(`${base}/incidents/${reference}/triage`);
  assert.match(await page.locator('aside.similar').textContent(), /Reports with similar words/);
  await triage(page, reference, { consequence: 3, likelihood: 3, response: 'local_review' });

  // An action from the review, refused until it is whole.
  await page.click('#add-action button:has-text("Add the action")');
  assert.ok(await page.locator('#add-action .error-summary').isVisible(), 'an empty action is refused');
  await accessible(page, 'the incident page with an action refused');
  await page.fill('#title', 'Browser journey: cable covers for every sensor mat');
  await page.fill('#action_description', 'Fit cable covers in every room with a mat; checked on the monthly equipment audit.');
  await page.selectOption('#owner', { index: 1 });
  await page.fill('#due_on', new Date(Date.now() + 21 * 86400000).toISOString().slice(0, 10));
  await page.check('#themes-equipment');
  await page.click('#add-action button:has-text("Add the action")');
  const action = page.locator('#actions table a[href^="/actions/ACT-"]').first();
  const actionRef = (await action.textContent()).trim();
  await accessible(page, 'the incident page with its action');

  // Sign-off waits for the action.
  await page.click('button:has-text("Start the review")');
  await page.click('button:has-text("Review done: ask for sign-off")');
  await page.fill('#note', 'Browser journey: reviewed with the night team.');
  await page.fill('#recommendations', 'Browser journey: cable covers wherever a mat is used.');
  if (await page.locator('#close-feedback').count() > 0) {
    await page.fill('#close-feedback', 'Browser journey: thank you. Every mat now has a cable cover, checked monthly.');
  }
  await page.click('button:has-text("Sign off and close")');
  assert.match(await page.locator('#next .error-summary').textContent(), new RegExp(`1 action is still open: .*\\(${actionRef}\\)`));
  await accessible(page, 'sign-off refused while an action is open');

  // The action is done, with evidence; then sign-off closes the incident.
  await page.goto(`${base}/actions/${actionRef}`);
  await page.selectOption('#status', 'done');
  await page.fill('#evidence', 'Browser journey: covers fitted in rooms 3, 7 and 12; audit sheet signed.');
  await page.click('button:has-text("Save")');
  await page.goto(`${base}/incidents/${reference}`);
  await page.fill('#note', 'Browser journey: reviewed with the night team.');
  await page.fill('#recommendations', 'Browser journey: cable covers wherever a mat is used.');
  if (await page.locator('#close-feedback').count() > 0) {
    await page.fill('#close-feedback', 'Browser journey: thank you. Every mat now has a cable cover, checked monthly.');
  }
  await page.click('button:has-text("Sign off and close")');
  await page.waitForURL(`${base}/incidents/${reference}#next`);
  assert.match(await page.locator('p .tag').first().textContent(), /Closed/);
  await desk.close();

  // The reporter is told, and reads what was found and what changed.
  await reporter.goto(`${base}/my-reports`);
  await reporter.click(`a:has-text("Feedback on your report: ${reference}")`);
  assert.ok((await reporter.content()).includes('Every mat now has a cable cover'));
  await accessible(reporter, 'the closed report with its feedback, as the reporter');
  await phone.close();
});

test('a serious incident is investigated and its report read', async () => {
  const { phone, reference } = await reportNearMiss('Browser journey: bed rail left down for a resident at high risk of falls.');
  await phone.close();
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const page = await desk.newPage();
  await signIn(page, logins['Registered manager']);
  await triage(page, reference, { consequence: 5, likelihood: 3, response: 'serious_investigation' });
  await page.click('button:has-text("Open the investigation")');
  assert.ok(await page.locator('#investigation .error-summary').isVisible(), 'an investigation needs a lead and terms');
  await accessible(page, 'opening an investigation, refused');
  await page.selectOption('#lead', { index: 1 });
  await page.fill('#terms_of_reference', 'Browser journey: why the rail was down, and how rails are checked at night.');
  await page.click('button:has-text("Open the investigation")');
  await page.waitForURL(/\/investigations\/INV-\d{6}$/);
  await accessible(page, 'a new investigation');

  await page.click('button:has-text("Record the meeting")');
  await accessible(page, 'the investigation with a meeting refused');
  await page.fill('#held_on', ukToday());
  await page.fill('#attendee_name-1', 'Browser journey lead');
  await page.fill('#attendee_role-1', 'Registered manager');
  await page.fill('#discussion', 'The night round and the rail check.');
  await page.fill('#decisions', 'Check rails on every round.');
  await page.click('button:has-text("Record the meeting")');
  await page.fill('#event_date', ukToday());
  await page.fill('#what', 'Rail found down at the 02:00 round.');
  await page.click('#timeline button:has-text("Add it")');
  await page.selectOption('#factor', { index: 1 });
  await page.fill('#factor_note', 'The round sheet has no rail check.');
  await page.click('button:has-text("Tag it")');
  await page.fill('#findings_text', 'Browser journey: the round sheet did not ask for rails to be checked.');
  await page.click('#findings button:has-text("Save")');
  assert.match(await page.locator('#meetings').textContent(), /Check rails on every round/);
  await accessible(page, 'the investigation under way');
  await page.click('a:has-text("Read the investigation report")');
  assert.match(await page.locator('h1').textContent(), /INV-\d{6}/);
  assert.ok((await page.content()).includes('the round sheet did not ask for rails to be checked'));
  await accessible(page, 'the investigation report');

  await page.click('nav a:has-text("Reports")');
  await page.click('a:has-text("Serious incidents by month")');
  await accessible(page, 'the serious incident summary');
  await desk.close();
});

test('an administrator changes the timescales, is told which field is wrong, and finds a user', async () => {
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const page = await desk.newPage();
  await signIn(page, logins['Administrator']);
  await page.click('nav a:has-text("Settings")');
  await accessible(page, 'the organisation settings');
  const before = await page.inputValue('#review_low');
  await page.fill('#review_low', 'five');
  await page.click('button:has-text("Save the timescales")');
  const summary = page.locator('#timescales .error-summary');
  assert.ok(await summary.isVisible(), 'a word where a number belongs is refused');
  assert.equal(await summary.locator('a').first().getAttribute('href'), '#review_low');
  await accessible(page, 'the settings with a timescale refused');
  await page.fill('#review_low', before);
  await page.click('button:has-text("Save the timescales")');
  assert.equal(await page.locator('.error-summary').count(), 0);
  assert.equal(await page.inputValue('#review_low'), before);
  // The home page counts the accounts and links to them, a page at a time.
  await page.goto(`${base}/`);
  await page.click('#user-counts a:has-text("All users")');
  await page.waitForURL(`${base}/users`);
  await accessible(page, 'the list of users');
  await page.fill('#q', logins['Administrator']);
  await page.click('#user-search button');
  assert.equal(await page.locator('#users tbody tr').count(), 1);
  await accessible(page, 'the list of users searched');
  await desk.close();
});

test('a manager records the GP\'s opinion and sees the serious injury duty appear', async () => {
  const { phone, reference } = await reportNearMiss('Browser journey: a resident slid from the hoist sling and hurt her wrist.');
  await phone.close();
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const page = await desk.newPage();
  await signIn(page, logins['Registered manager']);
  await triage(page, reference, { consequence: 3, likelihood: 3, response: 'local_review', harm: 'moderate' });
  await page.click('a:has-text("Statutory duties")');
  await accessible(page, 'the statutory duties, nothing known yet');
  const injury = page.locator('tr', { has: page.locator('th', { hasText: 'CQC notification: serious injury' }) });
  await page.check('#person_type-service_user');
  await page.check('#died-no');
  await page.check('#unintended_or_unexpected-yes');
  await page.click('button:has-text("Save what you know")');
  assert.match(await injury.textContent(), /Needs information/);
  await page.fill('#hcp_name', 'Dr Okafor');
  await page.fill('#hcp_role', 'GP');
  await page.click('button:has-text("Save what you know")');
  assert.ok(await page.locator('.error-summary').isVisible(), 'an opinion needs its date');
  await accessible(page, 'the statutory duties with an answer refused');
  // The opinion came after the report (a time before the incident is refused).
  await page.fill('#hcp_date', new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/London' }));
  await page.fill('#hcp_time', new Date().toLocaleTimeString('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit' }));
  await page.check('#hcp_outcomes-body_structure_change');
  await page.click('button:has-text("Save what you know")');
  assert.match(await injury.textContent(), /Required/);
  assert.doesNotMatch(await injury.textContent(), /Needs information|Not required/);
  await accessible(page, 'the statutory duties with a duty required');

  // The incident page now shows the duty; its page has a draft to copy,
  // then the submission is recorded with CQC's reference.
  await page.goto(`${base}/incidents/${reference}`);
  assert.match(await page.locator('#incident-duties').textContent(), /CQC notification: serious injury: due/);
  await accessible(page, 'the incident page with its statutory duties');
  await page.click('#incident-duties a:has-text("CQC notification: serious injury")');
  await page.waitForURL(/\/duties\/cqc_serious_injury_notification$/);
  await accessible(page, 'a CQC notification with its draft');
  assert.match(await page.locator('#draft-text').inputValue(), /Identifier \(not their name\):/);
  const today = new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
  const now = new Date().toLocaleTimeString('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit' });
  await page.fill('#submitted-date-input', today);
  await page.fill('#submitted-time', now);
  await page.selectOption('#submitted-method', 'online');
  await page.click('#step-submitted button:has-text("Record this")');
  assert.ok(await page.locator('.error-summary').isVisible(), 'CQC\'s reference is needed');
  await accessible(page, 'a submission refused without its reference');
  await page.fill('#submitted-reference', 'ENQ1-E2E');
  await page.click('#step-submitted button:has-text("Record this")');
  await page.waitForURL(/\/duties\/cqc_serious_injury_notification$/);
  assert.match(await page.locator('#duty-done').textContent(), /\d{4}/);
  assert.match(await page.locator('.step').first().textContent(), /ENQ1-E2E/);

  // What is still to do across the services; this notification is no longer on it.
  await page.click('header a:has-text("Duties")');
  await page.waitForURL(`${base}/duties`);
  await accessible(page, 'the statutory duties still to do');
  assert.equal(await page.locator(`a[href="/incidents/${reference}/duties/cqc_serious_injury_notification"]`).count(), 0);
  await desk.close();
});

test('the registered manager opens the falls safety cross and prints it for the wall', async () => {
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const page = await desk.newPage();
  await signIn(page, logins['Registered manager']);
  await page.goto(`${base}/reports`);
  await page.click('a:has-text("Safety crosses")');
  await page.waitForURL(`${base}/safety-cross`);
  await accessible(page, 'the falls safety cross');
  assert.match(await page.locator('#days-since').textContent(), /since the last fall|No fall in the last year/);
  await page.selectOption('#measure', 'any_incident');
  await page.click('#cross-filter button:has-text("Show")');
  await page.waitForURL(/measure=any_incident/);
  await accessible(page, 'the any-incident safety cross');
  assert.ok(await page.locator('#cross .cross-day').count() >= 28);
  // Printed, the menus go and the cross fits an A4 sheet (19 cm inside the margins).
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('header.header').isVisible(), false);
  const box = await page.locator('#cross').boundingBox();
  assert.ok(box.width <= 19 / 2.54 * 96, `the cross is ${box.width}px wide`);
  await desk.close();
});

test('the registered manager reads the falls trend as a chart and a table', async () => {
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const page = await desk.newPage();
  await signIn(page, logins['Registered manager']);
  await page.goto(`${base}/reports`);
  await page.click('a:has-text("Trends")');
  await page.waitForURL(`${base}/trends`);
  await accessible(page, 'the falls trend');
  assert.equal(await page.locator('#trend-data tbody tr').count(), 24);
  assert.equal(await page.locator('#spc-chart .spc-dot').count(), 24);
  await page.selectOption('#measure', 'near_misses');
  await page.click('#trend-filter button:has-text("Show")');
  await page.waitForURL(/measure=near_misses/);
  await accessible(page, 'the near-miss trend');
  await page.click('a:has-text("When and where they happen")');
  await page.waitForURL(/\/trends\/patterns\?measure=near_misses/);
  await accessible(page, 'when and where near misses happen');
  assert.equal(await page.locator('#pattern-grid tbody tr').count(), 7);
  assert.equal(await page.locator('#pattern-shifts tbody tr').count(), 3);

  // Falls at her own service, per week, then a change recorded on the chart.
  await page.goto(`${base}/trends`);
  await page.selectOption('#service', { index: 1 });
  await page.selectOption('#period', 'week');
  await page.click('#trend-filter button:has-text("Show")');
  await page.waitForURL(/period=week/);
  assert.equal(await page.locator('#trend-data tbody tr').count(), 104);
  await accessible(page, 'a weekly trend');
  await page.click('a:has-text("Record a change")');
  await accessible(page, 'the record-a-change form');
  await page.fill('#starts_on', '2026-06-01');
  await page.fill('#label', 'Sensor mats introduced on every bed');
  await page.click('button:has-text("Record the change")');
  await page.waitForURL(/\/trends\?measure=falls&service=/);
  assert.match(await page.locator('#change-list').textContent(), /Sensor mats introduced on every bed/);
  assert.equal(await page.locator('#spc-chart .spc-break').count(), 1);

  // Occupied bed days make rates.
  await page.goto(`${base}/occupancy`);
  await accessible(page, 'the occupancy sheet');
  await page.fill('#occupancy tbody tr:nth-child(2) input[name="bed_days"]', '1200');
  await page.click('#occupancy tbody tr:nth-child(2) button');
  await page.waitForURL(/\/occupancy\?service=/);
  assert.equal(await page.locator('#occupancy tbody tr:nth-child(2) input[name="bed_days"]').inputValue(), '1200');
  await desk.close();
});

test('a manager shares a lesson and a care worker reads and acknowledges it', async () => {
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const page = await desk.newPage();
  await signIn(page, logins['Registered manager']);
  await page.click('nav a:has-text("Lessons")');
  await page.waitForURL(`${base}/lessons`);
  await accessible(page, 'the lessons list');
  await page.click('a:has-text("Share a lesson")');
  await page.waitForURL(`${base}/lessons/new`);
  // Sent empty, every field is named.
  await page.click('button:has-text("Share the lesson")');
  await page.locator('.error-summary').waitFor();
  await accessible(page, 'the lesson form with its errors');
  assert.equal(await page.locator('.error-summary a[href="#title"]').count(), 1);
  await page.fill('#title', 'Call bells within reach after personal care');
  await page.fill('#what_happened', 'A resident could not reach the call bell after being helped to bed, and tried to get up alone.');
  await page.fill('#what_we_learned', 'The bell lead was clipped to the wall side when the bed was moved.');
  await page.fill('#what_we_changed', 'The last check before leaving a room is that the bell is in the person\'s hand.');
  await page.selectOption('#scope', { index: 1 });
  await page.selectOption('#source', 'guidance');
  await page.click('button:has-text("Share the lesson")');
  await page.waitForURL(/\/lessons\/[0-9a-f-]{36}$/);
  const lesson = page.url();
  await accessible(page, 'a lesson, for its manager');
  assert.match(await page.locator('#read-by-heading').textContent(), /Read by 0 of \d+/);

  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB', isMobile: true });
  const worker = await phone.newPage();
  await signIn(worker, logins['Care worker']);
  await worker.locator('#lessons a:has-text("Call bells within reach")').click();
  await worker.waitForURL(lesson);
  await accessible(worker, 'a lesson to read, on a phone');
  await worker.click('button:has-text("I have read and understood this lesson")');
  await worker.waitForURL(lesson);
  assert.match(await worker.locator('#acknowledge').textContent(), /Read on \d{1,2} [A-Z][a-z]{2} \d{4}/);
  await worker.goto(`${base}/`);
  assert.equal(await worker.locator('#lessons a:has-text("Call bells within reach")').count(), 0);

  await page.reload();
  assert.match(await page.locator('#read-by-heading').textContent(), /Read by 1 of \d+/);
  await phone.close();
  await desk.close();
});

test('the registered manager sees who is at increased risk and records a review', async () => {
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const page = await desk.newPage();
  await signIn(page, logins['Registered manager']);
  await page.locator('#at-risk').waitFor();
  await accessible(page, 'the home page with people at increased risk');
  const before = await page.locator('#at-risk tbody tr').count();
  await page.locator('#at-risk tbody th a').first().click();
  await page.waitForURL(/\/people\/[0-9a-f-]{36}$/);
  await accessible(page, 'a person at increased risk');
  assert.match(await page.locator('#risk').textContent(), /At increased risk/);
  await page.click('button:has-text("Record the review")');
  await page.locator('.error-summary').waitFor();
  await page.check('#risk_assessment_updated-yes');
  await page.check('#care_plan_updated-no');
  await page.fill('#outcome', 'Falls diary started; physiotherapy referral made; sensor mat at night.');
  await page.click('button:has-text("Record the review")');
  await page.waitForURL(/reviewed=1/);
  assert.match(await page.locator('#risk').textContent(), /Not flagged/);
  await accessible(page, 'a person after their review');
  await page.goto(`${base}/`);
  assert.equal(await page.locator('#at-risk tbody tr').count(), before - 1);
  await desk.close();
});

test('the registered manager opens a lessons-learned meeting with its agenda already built', async () => {
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const page = await desk.newPage();
  await signIn(page, logins['Registered manager']);
  await page.click('nav a:has-text("Meetings")');
  await page.waitForURL(`${base}/meetings`);
  await accessible(page, 'the meetings list');
  await page.click('a:has-text("Arrange a meeting")');
  await page.waitForURL(/\/meetings\/new/);
  await page.check('#kind-monthly');
  await page.fill('#date', '2026-12-03');
  await page.fill('#time', '14:00');
  await page.fill('#location', 'The quiet lounge, or on Teams');
  await page.click('button:has-text("Arrange the meeting")');
  await page.waitForURL(/\/meetings\/[0-9a-f-]{36}$/);
  await accessible(page, 'a meeting with its agenda');
  const agenda = await page.locator('#agenda').inputValue();
  assert.match(agenda, /^1\. Welcome, attendance and apologies\n/);
  assert.match(agenda, /Incidents and near misses since \d{1,2} [A-Z][a-z]{2} \d{4}/);
  assert.match(agenda, /Overdue actions/);
  await page.fill('#attendee_name', 'Sam Okafor');
  await page.fill('#attendee_role', 'Senior carer');
  await page.check('#attendance-in_person');
  await page.click('button:has-text("Add to the attendance")');
  await page.waitForURL(/#who-attended$/);
  assert.match(await page.locator('#who-attended tbody').textContent(), /Sam Okafor/);
  await page.fill('#minutes', 'We went through the falls since the last meeting; night checks to include sensor mats.');
  await page.click('#record button:has-text("Save")');
  await page.waitForURL(/#record$/);
  assert.match(await page.locator('#minutes').inputValue(), /night checks/);
  await accessible(page, 'a meeting with attendance and minutes');
  await desk.close();
});

test('an administrator disables a leaver, who is thrown out on their next click', async () => {
  const leaverContext = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB' });
  const leaver = await leaverContext.newPage();
  await signIn(leaver, logins['Senior carer']);

  const desk = await browser.newContext({ locale: 'en-GB' });
  const admin = await desk.newPage();
  await signIn(admin, logins['Administrator']);
  await admin.goto(`${base}/users?q=${encodeURIComponent(logins['Senior carer'])}`);
  await admin.click(`#users a:has-text("${nameOf(logins['Senior carer'])}")`);
  await accessible(admin, 'an account page');
  await admin.click('button:has-text("Disable the account")');
  assert.ok(await admin.locator('.error-summary').isVisible(), 'a reason is asked for');
  await accessible(admin, 'an account page with an error');
  await admin.fill('#reason', 'Left on 30 Nov 2026');
  await admin.click('button:has-text("Disable the account")');
  assert.ok((await admin.content()).includes('Enable the account'));

  await leaver.click('nav a:has-text("Lessons")');
  assert.match(leaver.url(), /\/login/, 'signed out on the next click');

  await admin.fill('#reason', 'Back from leave');
  await admin.click('button:has-text("Enable the account")');
  assert.ok((await admin.content()).includes('Disable the account'));
  await desk.close();
  await leaverContext.close();
});

test('an administrator invites a senior carer, who chooses a password, turns on a second factor and signs in with it', async () => {
  const desk = await browser.newContext({ locale: 'en-GB' });
  const admin = await desk.newPage();
  await signIn(admin, logins['Administrator']);
  await admin.goto(`${base}/users`);
  await admin.click('#invite-link');
  await accessible(admin, 'the invitation form');
  await admin.click('button:has-text("Send the invitation")');
  assert.ok(await admin.locator('.error-summary').isVisible(), 'the missing fields are named');
  await accessible(admin, 'the invitation form with errors');
  const email = `grace.${Date.now()}@example.org`;
  await admin.fill('#name', 'Grace Okoye');
  await admin.fill('#email', email);
  await admin.selectOption('#role', 'senior_carer');
  await admin.locator('#places input[value^="service:"]').first().check();
  await admin.click('button:has-text("Send the invitation")');
  assert.match(await admin.locator('#notice').textContent(), /Invitation sent/);
  assert.equal((await admin.locator('#account-status').textContent()).trim(), 'Invited');
  await accessible(admin, 'an invited account');

  const link = await emailedLink(email);
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB' });
  const grace = await phone.newPage();
  await grace.goto(link);
  await accessible(grace, 'choosing a password');
  await grace.fill('#new_password', 'bright harbour lanterns');
  await grace.fill('#confirm_password', 'bright harbour lanterns');
  await grace.click('button:has-text("Set my password")');
  await grace.waitForURL(/\/login\?password_set=1/);
  assert.match(await grace.content(), /Your password is set/);
  await grace.fill('#email', email);
  await grace.fill('#password', 'bright harbour lanterns');
  await grace.click('button:has-text("Sign in")');
  await grace.waitForURL(`${base}/`);
  assert.match(await grace.content(), /Grace Okoye/);
  // The link worked once.
  await grace.goto(link);
  assert.match(await grace.locator('h1').textContent(), /no longer works/);
  await accessible(grace, 'a used link');

  await admin.reload();
  assert.equal((await admin.locator('#account-status').textContent()).trim(), 'Active');

  // She turns on a second factor, then signs in with it.
  await grace.goto(`${base}/account/second-factor`);
  await accessible(grace, 'setting up a second factor');
  const secret = (await grace.locator('#second-factor-secret').textContent()).trim();
  const step = Math.floor(Date.now() / 1000 / 30);
  await grace.fill('#code', totp(secret, step));
  await grace.click('button:has-text("Turn on the second factor")');
  assert.equal(await grace.locator('#recovery-codes li').count(), 10);
  await accessible(grace, 'the recovery codes');
  await grace.goto(`${base}/`);
  await grace.click('button:has-text("Sign out")');
  await grace.goto(`${base}/login`);
  await grace.fill('#email', email);
  await grace.fill('#password', 'bright harbour lanterns');
  await grace.click('button:has-text("Sign in")');
  assert.match(await grace.locator('h1').textContent(), /Enter your code/);
  await accessible(grace, 'the code asked for at sign-in');
  // The code already used is refused; the next step's is accepted (a phone's clock may run ahead).
  await grace.fill('#code', totp(secret, step));
  await grace.click('button:has-text("Sign in")');
  assert.ok(await grace.locator('.error-summary').isVisible(), 'a code is never accepted twice');
  await accessible(grace, 'a wrong code');
  await grace.fill('#code', totp(secret, step + 1));
  await grace.click('button:has-text("Sign in")');
  await grace.waitForURL(`${base}/`);
  assert.match(await grace.content(), /Grace Okoye/);
  await admin.reload();
  assert.equal((await admin.locator('#second-factor').textContent()).trim(), 'On');
  await phone.close();
  await desk.close();
});

test('someone who forgot their password asks for a link from the sign-in page', async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB' });
  const page = await phone.newPage();
  await page.goto(`${base}/login`);
  await page.click('#forgot-link');
  await accessible(page, 'forgot your password');
  await page.fill('#email', 'nobody-at-all@example.org');
  await page.click('button:has-text("Send me a link")');
  assert.match(await page.locator('#reset-sent').textContent(), /If nobody-at-all@example.org has an account/);
  await accessible(page, 'a reset link asked for');
  await phone.close();
});
