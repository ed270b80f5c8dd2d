/**
 * The HTML incident report opened in a real headless browser (Debian's chromium through playwright-core): a contained
 * GPU instance whose finding title and instance tag carry markup. The page renders (a screenshot that is not blank),
 * shows every section, shows the hostile strings as text, runs no script and makes no network request.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CreateTagsCommand } from '@aws-sdk/client-ec2';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/engine-harness.js';
import { runCli } from '../support/run-cli.js';

const CHROMIUM = process.env.TOURNIQUET_CHROMIUM ?? '/usr/bin/chromium';
const HOSTILE_TITLE = '<script>window.__pwned = 1</script><img src="http://203.0.113.9/beacon.png"> miner on GPU';
const HOSTILE_TAG = '<img src=x onerror="window.__pwned = 2">';

let h: Harness;
let browser: Browser;
const dir = mkdtempSync(join(tmpdir(), 'tourniquet-report-'));
const common = ['--journal-path', join(dir, 'journal'), '--evidence-dir', join(dir, 'cases')];
let incidentId: string;
let reportFile: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: install Debian's chromium (.ci/run does) or set TOURNIQUET_CHROMIUM`);
  h = await startHarness();
  process.env.AWS_ENDPOINT_URL = h.moto.endpoint;
  const fleet = await h.seed('report');
  await h.clients.ec2.send(new CreateTagsCommand({ Resources: [fleet.targetInstanceId], Tags: [{ Key: 'owner', Value: HOSTILE_TAG }] }));
  const drill = await runCli(['drill', 'ec2', fleet.targetInstanceId, '--region', 'us-east-1']);
  const finding = JSON.parse(drill.out) as Record<string, unknown>;
  finding['title'] = HOSTILE_TITLE;
  const file = join(dir, 'finding.json');
  await writeFile(file, JSON.stringify(finding));
  const respond = await runCli(['respond', file, '--mode', 'contain', ...common, '--json']);
  expect(respond.code).toBe(0);
  incidentId = (JSON.parse(respond.out) as Array<{ outcomes: Array<{ incidentId: string }> }>)[0]!.outcomes[0]!.incidentId;
  const report = await runCli(['report', incidentId, ...common]);
  expect(report.code).toBe(0);
  reportFile = join(dir, 'cases', incidentId, 'report.html');
  expect(report.out.trim()).toBe(`report written to ${reportFile}`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 120_000);

afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL;
  await browser?.close();
  await h?.close();
});

describe('the HTML incident report in a browser', () => {
  it('renders every section with the hostile strings as text, no script run, no request made', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const url = pathToFileURL(reportFile).href;
    const requests: string[] = [];
    page.on('request', (r) => {
      if (r.url() !== url) requests.push(r.url());
    });
    await page.goto(url);
    await page.waitForLoadState('load');
    // Evaluated in the page (strings: this project's TypeScript has no DOM types).
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
    expect(await page.evaluate('document.scripts.length')).toBe(0);
    expect(await page.textContent('#finding-title')).toBe(HOSTILE_TITLE);
    expect(await page.textContent('#workload')).toContain(HOSTILE_TAG);
    for (const section of ['summary', 'workload', 'decision', 'timeline', 'steps', 'evidence', 'release']) {
      expect(await page.isVisible(`#${section} h2`)).toBe(true);
    }
    // One bar per step that ran, in the inline SVG chart.
    const ran = (await page.$$eval('#steps tr', (rows) => rows.length)) - 1;
    expect(ran).toBeGreaterThan(5);
    expect(await page.$$eval('svg.timeline rect', (r) => r.length)).toBeGreaterThan(5);
    expect(await page.textContent('#evidence')).toMatch(/The chain verifies: (\d+) of \1 artefact\(s\)/);
    expect(await page.textContent('#release')).toContain(`tourniquet release ${incidentId}`);
    const shot = await page.screenshot({ fullPage: true });
    const blank = await (await browser.newPage({ viewport: { width: 1100, height: 900 } })).screenshot();
    // A rendered page is far larger as a PNG than a blank one of the same size.
    expect(shot.byteLength).toBeGreaterThan(blank.byteLength * 10);
    expect(requests).toEqual([]);
  });

  it('the file is self-contained: no external URL but the hostile one, escaped', async () => {
    const text = await readFile(reportFile, 'utf8');
    expect(text).not.toContain('<script');
    expect(text).toContain('&lt;script&gt;window.__pwned = 1&lt;/script&gt;');
    expect(text.match(/(?:src|href)=["']?https?:/g)).toBeNull();
    expect(text).toContain("default-src 'none'");
  });

  it('Markdown goes to stdout with the same facts, escaped', async () => {
    const md = await runCli(['report', incidentId, '--format', 'markdown', ...common]);
    expect(md.code).toBe(0);
    expect(md.out).toContain(`# Incident ${incidentId}`);
    expect(md.out).toContain('\\<script\\>window.\\_\\_pwned = 1\\</script\\>');
    expect(md.out).toMatch(/The chain verifies: (\d+) of \1 artefact\(s\)/);
  });

  it('an unknown incident is a one-line error with exit 2', async () => {
    const r = await runCli(['report', 'inc-20260101-000000000000', ...common]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });
});
