import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium fonts-nanum`); never a downloaded browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why browser tests cannot run here, or false when they can. */
export function chromiumMissing(): string | false {
  return existsSync(CHROMIUM_PATH) ? false : `browser tests need Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium fonts-nanum)`;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox', // runs as root in CI
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

export const PHONE = { width: 390, height: 844 } as const;
export const DESKTOP = { width: 1280, height: 900 } as const;

/**
 * The `skip` option for browser tests: `false` when Chromium is there, else one line saying what
 * is missing and how to run the file. With REQUIRE_SERVICES=1 or in CI (where .ci/run installs
 * Chromium) a missing browser is an error instead, so nothing is skipped silently there.
 */
export function skipUnlessChromium(file: string): string | false {
  const missing = chromiumMissing();
  if (!missing) return false;
  const reason = `${missing}; then run: npm test -- ${file}`;
  if (process.env.REQUIRE_SERVICES === '1' || process.env.CI) throw new Error(`browser tests may not be skipped here: ${reason}`);
  console.log(`# skipped ${file}: ${reason}`);
  return reason;
}
