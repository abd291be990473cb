/**
 * Opens the gateway's dashboard in Debian's Chromium (driven by playwright-core, which never
 * downloads a browser of its own), logs in with the key through the form, waits for live data and
 * reads what a person would see. Not a spec itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface DashboardView {
  /** Whether the key ever appeared in a URL the page loaded. */
  keyInUrl: boolean;
  cards: string[];
  sparklines: number;
  degradationVerdicts: string[];
  breakers: string[];
  failovers: string[];
  alerts: string[];
  jobs: string[];
  spend: string[];
  audit: string;
}

export async function openDashboard(gatewayUrl: string, apiKey: string, screenshotPath: string): Promise<DashboardView> {
  const profile = mkdtempSync(join(tmpdir(), 'cp-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1400, height: 1300 } });
  const urls: string[] = [];
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('request', (r) => urls.push(r.url()));
    await page.goto(`${gatewayUrl}/dashboard`);
    await page.fill('#key', apiKey);
    await page.click('button[type=submit]');
    // Live data: the cards, the breaker rows and the audit head arrive from the polls.
    await page.waitForSelector('#slo-cards .card .spark canvas', { timeout: 15_000 });
    // Locators, not page functions: the page's CSP forbids evaluating strings.
    await page.locator('#breakers tbody tr').nth(1).waitFor({ timeout: 15_000 });
    await page.locator('#audit dt', { hasText: 'head' }).waitFor({ timeout: 15_000 });
    const rows = (selector: string) => page.$$eval(selector, (trs) => trs.map((tr) => (tr.textContent ?? '').replace(/\s+/g, ' ').trim()));
    const view: DashboardView = {
      keyInUrl: urls.some((u) => u.includes(apiKey)),
      cards: await page.$$eval('#slo-cards .card h3', (hs) => hs.map((h) => h.textContent ?? '')),
      sparklines: await page.$$eval('#slo-cards .card .spark canvas', (cs) => cs.length),
      degradationVerdicts: await page.$$eval('#card-degradation_rate .badges span', (ss) => ss.map((s) => s.textContent ?? '')),
      breakers: await rows('#breakers tbody tr'),
      failovers: await rows('#failovers tbody tr'),
      alerts: await rows('#alerts tbody tr'),
      jobs: await rows('#jobs tbody tr'),
      spend: await rows('#spend tbody tr'),
      audit: (await page.textContent('#audit')) ?? '',
    };
    await page.screenshot({ path: screenshotPath, fullPage: true });
    return view;
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
