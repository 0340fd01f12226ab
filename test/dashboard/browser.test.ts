/**
 * The dashboard as a user sees it: a real `grapevine serve` (the built
 * binary, the demo site of `npm start`) and headless Chromium. The overview
 * lists the site's parts; a certificate submitted with the CLI makes the CT
 * log's tree size on the page grow; a split view injected the way the
 * detection tests inject one (a second STH of the same size, signed with the
 * log's own key, handed to the site's gossip service over its peer socket)
 * appears as a proof incident whose evidence downloads and verifies; the
 * keyboard reaches every section; and no page logs a console error.
 *
 * Screenshots go to a fresh temporary directory whose path is printed.
 * Waits are bounded only to catch a stuck server or browser; what the tests
 * wait for is the page's own text.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { grapevineAsync } from '../support/cli.ts';
import { type Browser, chromiumMissing, launchBrowser, screenshotDir } from './browser.ts';
import { type Demo, gossiped, injectSplitView, STUCK_MS, startDemo, submitCertificate } from './demo.ts';

const missing = chromiumMissing();
if (missing) process.stderr.write(`\n*** dashboard browser tests ${missing} ***\n\n`);

describe('the dashboard in Chromium, against grapevine serve', { skip: missing ?? false }, () => {
  let demo: Demo;
  let browser: Browser;
  let shots: string;
  const errors: string[] = [];
  const saved: string[] = [];

  before(async () => {
    demo = await startDemo(['--log-format', 'human']);
    browser = await launchBrowser();
    shots = screenshotDir();
  });

  after(async () => {
    await browser?.close();
    await demo?.serve.stop();
    if (saved.length > 0) process.stdout.write(`\nDashboard screenshots (${shots}):\n${saved.map((p) => `  ${p}`).join('\n')}\n`);
  });

  async function open(hash: string, o: { width?: number; height?: number; dark?: boolean } = {}): Promise<Page> {
    const { page, errors: pageErrors } = await browser.page(o);
    page.on('close', () => errors.push(...pageErrors));
    await page.goto(`${demo.url}/${hash}`);
    return page;
  }

  async function shot(page: Page, name: string): Promise<void> {
    const path = join(shots, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    saved.push(path);
  }

  /** The text of the CT log's size on the overview. */
  const ctSize = (page: Page) => page.locator('article', { hasText: 'CT log ct' }).locator('.size').innerText();

  it("lists the site's parts on the overview: the CT log, the hub, the gossip loop and the gossip service, the witness, the published logs", async () => {
    const page = await open('#/overview');
    const cards = page.locator('[data-testid=services] article');
    await cards.nth(6).waitFor({ timeout: STUCK_MS });
    const names = await page.locator('[data-testid=services] article h3').allInnerTexts();
    assert.deepEqual(names.sort(), [
      'CT log ct',
      'gossip loop',
      'gossip service grapevine-gossip',
      'hub hub',
      'published 127.0.0.1:8080',
      'published 127.0.0.1:8080/hub',
      'witness grapevine-demo/witness',
    ]);
    assert.equal(await ctSize(page), '0');
    await page.getByText('promise kept').first().waitFor({ timeout: STUCK_MS });
    await shot(page, '01-overview');
    // The terminal said where to look, and what to try.
    assert.match(demo.serve.stderr(), new RegExp(`\\n {2}Dashboard {2}${demo.url}/ `));
    assert.match(demo.serve.stderr(), /\n {4}npx grapevine ct add-chain --url /);
    await page.close();
  });

  it('shows the CT tree size grow on the page when a certificate is submitted', async () => {
    const page = await open('#/overview');
    await page.locator('[data-testid=services] article').first().waitFor({ timeout: STUCK_MS });
    assert.equal(await ctSize(page), '0');
    await submitCertificate(demo);
    await page.waitForFunction(() => document.querySelector('article[aria-labelledby="svc-ct:ct"] .size')?.textContent === '1', undefined, {
      timeout: STUCK_MS,
    });
    await page.getByText('CT log ct: 1 certificate logged, tree size 1').waitFor({ timeout: STUCK_MS });
    await shot(page, '02-overview-certificate-logged');
    await page.close();
    // The terminal said it too, as one readable line (--log-format human), and no JSON.
    assert.match(demo.serve.stderr(), /\d\d:\d\d:\d\d {2}CT log ct: 1 certificate logged, tree size 1/);
    assert.doesNotMatch(demo.serve.stderr(), /^\{"level"/m);
  });

  it('shows the views of the CT log agree once the hub and the gossip service hold its new head', async () => {
    // The gossip loop hands each new head to the hub and the gossip service (every 5 s): wait for both, by the API.
    await gossiped(demo, 1);
    const page = await open('#/sources');
    const ct = page.locator('article.source', { hasText: 'CT log ct' });
    await ct.getByText('views agree').waitFor({ timeout: STUCK_MS });
    assert.ok((await ct.locator('tbody tr').count()) >= 3, 'the log itself, the hub and the gossip service');
    await shot(page, '03-sources');
    await page.close();
  });

  it('shows a split view as a proof incident: banner, list, detail with the verdict, and evidence that verifies', async () => {
    // The gossip service holds the honest head of size 1 (see the test above); now the other tree's.
    await injectSplitView(demo);

    const page = await open('#/overview');
    const banner = page.locator('[data-testid=proof-banner]');
    await banner.waitFor({ timeout: STUCK_MS });
    assert.match(await banner.innerText(), /1 incident carries cryptographic proof/);
    await shot(page, '04-overview-proof-banner');

    await page.locator('nav').getByRole('link', { name: 'Incidents' }).click();
    const row = page.locator('[data-testid=incidents] tbody tr').first();
    await row.waitFor({ timeout: STUCK_MS });
    assert.match(await row.innerText(), /proof\s+fork/);
    await shot(page, '05-incidents');

    await row.getByRole('link').click();
    const verdict = page.locator('[data-testid=verdict]');
    await verdict.waitFor({ timeout: STUCK_MS });
    assert.match(
      await verdict.innerText(),
      /Verified: this evidence proves the log misbehaved\s+PROOF of fork: .*two different trees of size 1/,
    );
    await shot(page, '06-incident-detail');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Download evidence/ }).click()]);
    const evidence = join(demo.dir, download.suggestedFilename());
    await download.saveAs(evidence);
    assert.match(download.suggestedFilename(), /^fork-[0-9a-f]{16}\.json$/);
    const v = await grapevineAsync(['evidence', 'verify', evidence, '--key', join(demo.data, 'keys', 'ct.pub.pem')], { cwd: demo.dir });
    assert.equal(v.code, 0, `${v.stdout}${v.stderr}`);
    assert.match(v.stdout, /^PROOF of fork: /);
    await page.close();

    const sources = await open('#/sources');
    await sources.getByText('SPLIT VIEW', { exact: true }).waitFor({ timeout: STUCK_MS });
    await shot(sources, '07-sources-split-view');
    await sources.close();
    assert.match(demo.serve.stderr(), /INCIDENT fork-[0-9a-f]{16}/);
  });

  it('plots the tree sizes, with a window picker', async () => {
    const page = await open('#/plots');
    await page.locator('figure.chart canvas').first().waitFor({ timeout: STUCK_MS });
    assert.ok((await page.locator('figure.chart figcaption').allInnerTexts()).some((t) => t.startsWith('Tree size')));
    await page.getByLabel('5 min', { exact: true }).check();
    await page.waitForFunction(() => document.querySelector<HTMLInputElement>('input[value="5m"]')?.checked === true, undefined, {
      timeout: STUCK_MS,
    });
    await page.locator('figure.chart canvas').first().waitFor({ timeout: STUCK_MS });
    await shot(page, '08-plots');
    await page.close();
  });

  it('reads on a phone and in dark mode', async () => {
    const phone = await open('#/overview', { width: 390, height: 844 });
    await phone.locator('[data-testid=services] article').nth(3).waitFor({ timeout: STUCK_MS });
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than the phone`);
    await shot(phone, '09-phone-overview');
    await phone.close();
    const dark = await open('#/overview', { dark: true });
    await dark.locator('[data-testid=services] article').nth(3).waitFor({ timeout: STUCK_MS });
    const bg = await dark.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.notEqual(bg, 'rgb(246, 245, 249)', 'dark mode has its own background');
    await shot(dark, '10-dark-overview');
    await dark.close();
  });

  it('is usable from the keyboard: Tab reaches the sections, Enter opens one and focuses its heading', async () => {
    const page = await open('#/overview');
    await page.locator('[data-testid=services] article').first().waitFor({ timeout: STUCK_MS });
    const focused = () => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
    let found = false;
    for (let i = 0; i < 10 && !found; i++) {
      await page.keyboard.press('Tab');
      found = (await focused()) === 'Sources';
    }
    assert.ok(found, 'Tab reaches the Sources link');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'h-sources', undefined, { timeout: STUCK_MS });
    assert.equal(await page.locator('nav a[aria-current=page]').innerText(), 'Sources');
    await page.close();
  });

  it('logged no console error and no uncaught exception on any page', () => {
    assert.deepEqual(errors, []);
  });
});
