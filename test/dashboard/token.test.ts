/**
 * A dashboard behind `dashboard.token`, in Chromium: the page asks for the
 * token, a wrong one is asked again, the right one opens the overview (and
 * is kept for the tab: a reload needs no second entry).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { initDataDir, loadSiteConfig } from '../../src/cli/serve.ts';
import { type Site, startSite } from '../../src/server/index.ts';
import { tempDir } from '../support/temp-dir.ts';
import { type Browser, chromiumMissing, launchBrowser, screenshotDir } from './browser.ts';

const missing = chromiumMissing();
if (missing) process.stderr.write(`\n*** dashboard token browser test ${missing} ***\n\n`);

const TOKEN = 'correct-horse-battery-staple-42';
const STUCK_MS = 60_000;

describe('the dashboard behind a token, in Chromium', { skip: missing ?? false }, () => {
  let site: Site;
  let browser: Browser;

  before(async () => {
    const dir = join(tempDir('gv-token-'), 'data');
    const config = loadSiteConfig(await initDataDir(dir));
    site = await startSite(
      {
        ...config,
        gossipd: config.gossipd ? { ...config.gossipd, peerSocket: { ...config.gossipd.peerSocket, path: join(dir, 'g.sock') } } : null,
        dashboard: { ...config.dashboard, token: TOKEN },
      },
      { createTrees: true, port: 0, logger: pino({ level: 'silent' }) },
    );
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await site?.close();
  });

  it('asks for the token, refuses a wrong one, opens with the right one and keeps it for the tab', async () => {
    const { page, errors } = await browser.page();
    await page.goto(`${site.url}/#/overview`);
    const ask = page.getByRole('heading', { name: 'Token needed' });
    await ask.waitFor({ timeout: STUCK_MS });
    await page.getByLabel('Token').fill('not-the-token-at-all-000');
    const refused = page.waitForResponse((r) => r.url().includes('/api/v1/') && r.status() === 401, { timeout: STUCK_MS });
    await page.getByRole('button', { name: 'Open the dashboard' }).click();
    const r = await refused;
    assert.equal(r.request().headers().authorization, 'Bearer not-the-token-at-all-000');
    await ask.waitFor({ timeout: STUCK_MS });
    await page.getByLabel('Token').fill(TOKEN);
    await page.getByRole('button', { name: 'Open the dashboard' }).click();
    await page.locator('[data-testid=services] article').first().waitFor({ timeout: STUCK_MS });
    await page.reload();
    await page.locator('[data-testid=services] article').first().waitFor({ timeout: STUCK_MS });
    assert.equal(await ask.count(), 0);
    const shot = join(screenshotDir(), 'token-overview.png');
    await page.screenshot({ path: shot });
    process.stdout.write(`\nToken screenshot: ${shot}\n`);
    // The refused polls are 401 answers the browser reports; nothing else may fail.
    assert.deepEqual(
      errors.filter((e) => !/401 \(Unauthorized\)/.test(e)),
      [],
    );
    await page.close();
  });
});
