import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

// Debian's Chromium, which .ci/run installs. Outside CI, where it is missing, the browser tests say so and do not
// run; in CI (CI set) a missing Chromium fails them: CI must not pass without having looked.
const CHROMIUM = process.env['ORCHESTRA_CHROMIUM'] || '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const MISSING = `no Chromium at ${CHROMIUM} (install Debian's chromium, as .ci/run does, or set ORCHESTRA_CHROMIUM)`;

/** Whether a browser test file skips its tests: only where Chromium is missing and CI is not set (said once). */
export function browserTestsSkipped(): boolean {
  const skipped = !haveChromium && !process.env['CI'];
  if (skipped) console.warn(`browser tests not run: ${MISSING}`);
  return skipped;
}

/**
 * Headless Chromium in a new empty profile (playwright makes one per launch); without the networking flags its
 * calls home fail on a closed network. With CI set and no Chromium, this throws: the tests fail, not skip.
 */
export async function launchChromium(): Promise<Browser> {
  if (!haveChromium) throw new Error(`CI is set and the browser tests cannot run: ${MISSING}`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
