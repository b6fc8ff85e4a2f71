import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

/** Logs in through the web client's log-in screen and waits for 오늘의 추천. */
export async function logInInBrowser(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(baseUrl);
  await page.getByLabel('이메일').fill(email);
  await page.getByLabel('비밀번호').fill(password);
  await page.getByRole('button', { name: '로그인' }).click();
  await page.getByRole('heading', { name: '오늘의 추천' }).waitFor();
}

/** Zero serious or critical axe violations on what the page shows now. */
export async function assertAccessible(page: Page, screen: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    bad.map((v) => `${v.id}: ${v.nodes.map((n: { target: unknown[] }) => n.target.join(' ')).join(', ')}`),
    [],
    `axe on ${screen}`,
  );
}
