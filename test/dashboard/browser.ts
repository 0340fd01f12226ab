/**
 * Headless Chromium for the dashboard's browser tests, driven by
 * playwright-core with the system's browser (Debian's `chromium`, installed
 * by .ci/run; `npx playwright install` downloads nothing here). Tests skip
 * loudly when it is absent. Each launch gets a fresh profile directory, and
 * the flags that keep Chromium off the network (it would otherwise try
 * Google's hosts at every start).
 */
import { existsSync, rmSync } from 'node:fs';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { tempDir } from '../support/temp-dir.ts';

export const CHROMIUM = process.env.GRAPEVINE_CHROMIUM ?? '/usr/bin/chromium';

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Why the browser tests cannot run here, or null when they can. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM)
    ? null
    : `SKIPPED: no Chromium at ${CHROMIUM} (apt-get install chromium, as .ci/run does; or set GRAPEVINE_CHROMIUM)`;
}

export interface Browser {
  readonly context: BrowserContext;
  /** A new page; every console error and uncaught exception it reports is collected in `errors`. */
  page(o?: { width?: number; height?: number; dark?: boolean }): Promise<{ page: Page; errors: string[] }>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const profile = tempDir('gv-chromium-');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async page(o = {}) {
      const page = await context.newPage();
      await page.setViewportSize({ width: o.width ?? 1280, height: o.height ?? 900 });
      if (o.dark !== undefined) await page.emulateMedia({ colorScheme: o.dark ? 'dark' : 'light' });
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
      return { page, errors };
    },
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A directory for this run's screenshots (kept after the tests, so a person can look at them). */
export function screenshotDir(): string {
  return tempDir('grapevine-dashboard-shots-');
}
