/**
 * The Nacos 3 console driven in a real browser, as an operator uses it: log in, find a dataId
 * in the configuration list, open its edit page, replace the content, publish (through the
 * content-comparison dialog), and keep a screenshot. For end-to-end tests that prove a console
 * edit reaches running services; playwright-core drives Debian's Chromium (`apt-get install
 * chromium`; `./silk` installs it), or the browser named by SILK_CHROMIUM.
 *
 * The content is replaced the way a user pastes it: select all in the editor, then Ctrl+V from
 * the clipboard. Typing is not used because the editor (Monaco) re-indents every typed or
 * inserted newline. If the editor then holds something other than the intended text, the text
 * is set through the editor's model instead, and `editConfig` says so (`how: 'model'`).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { host, nacos, stateDir } from '@silk/stack/config';

export const CONSOLE_URL = `http://${host}:${nacos.consolePort}/`;

export interface NacosConsole {
  browser: Browser;
  context: BrowserContext;
  /** Logged in, on the configuration list. */
  page: Page;
  close(): Promise<void>;
}

export interface OpenConsoleOptions {
  url?: string;
  username?: string;
  password?: string;
  /** Default SILK_CHROMIUM, else /usr/bin/chromium. */
  executablePath?: string;
  timeoutMs?: number;
}

export function chromiumPath(): string {
  const path = process.env.SILK_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(path))
    throw new Error(`no Chromium at ${path}: run \`apt-get install -y chromium\` (./silk does it) or set SILK_CHROMIUM`);
  return path;
}

/** Launches Chromium (headless) and logs in to the console; default the stack's nacos/nacos. */
export async function openConsole(opts: OpenConsoleOptions = {}): Promise<NacosConsole> {
  const url = opts.url ?? CONSOLE_URL;
  const browser = await chromium.launch({
    executablePath: opts.executablePath ?? chromiumPath(),
    // Root in a container has no user namespace for Chromium's sandbox.
    args: ['--no-sandbox'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'en-US' });
    context.setDefaultTimeout(opts.timeoutMs ?? 20_000);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(url).origin });
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'networkidle' });
    await page.locator('#username').fill(opts.username ?? nacos.username);
    await page.locator('#password').fill(opts.password ?? nacos.password);
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.waitForURL(/#\/configurationManagement/).catch(async (err: unknown) => {
      const shown = await page.locator('.next-message').allInnerTexts().catch(() => []);
      throw new Error(`Nacos console login at ${url} did not reach the configuration list${shown.length ? `: ${shown.join(' ')}` : ''}`, {
        cause: err,
      });
    });
    return { browser, context, page, close: () => browser.close() };
  } catch (err) {
    await browser.close();
    throw err;
  }
}

export interface EditConfigOptions {
  dataId: string;
  group: string;
  /** The namespace as the console's namespace bar shows it (name or id); default public. */
  namespace?: string;
  /** The new content, from the content the editor shows. */
  edit: (text: string) => string;
  /** Publish even when the console says the content fails its format check; default false. */
  acceptSyntaxWarning?: boolean;
}

export interface EditResult {
  before: string;
  after: string;
  /** `paste`: select-all + Ctrl+V did it; `model`: the editor's model was set. */
  how: 'paste' | 'model';
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Finds the dataId in the list, edits it in the editor, publishes it; leaves the edit page showing the result. */
export async function editConfig(page: Page, opts: EditConfigOptions): Promise<EditResult> {
  if (!/#\/configurationManagement/.test(page.url())) {
    // From an edit page its Back button returns to the list; from anywhere else, the list's address.
    const back = page.getByRole('button', { name: 'Back', exact: true });
    if (/#\/configeditor/.test(page.url()) && (await back.isVisible())) await back.click();
    else await page.goto(new URL('/#/configurationManagement', page.url()).href);
    await page.waitForURL(/#\/configurationManagement/);
  }
  // The namespace bar above the list: one name per namespace, a click switches the list to it.
  const namespace = opts.namespace === undefined || opts.namespace === '' ? 'public' : opts.namespace;
  const tab = () => page.locator('.naming-simple, .naming-focus', { hasText: new RegExp(`^\\s*${escapeRe(namespace)}\\s*$`) }).first();
  // The bar is read when the list loads: a namespace created since shows only after a reload.
  await tab()
    .click({ timeout: 5_000 })
    .catch(async () => {
      await page.reload({ waitUntil: 'networkidle' });
      await tab()
        .click()
        .catch((err: unknown) => {
          throw new Error(`the console's namespace bar shows no namespace ${namespace}`, { cause: err });
        });
    });
  const search = page.getByPlaceholder('Default fuzzy query mode opened');
  await search.nth(0).fill(opts.dataId);
  await search.nth(1).fill(opts.group);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  const exact = (s: string) => page.locator('td', { hasText: new RegExp(`^\\s*${escapeRe(s)}\\s*$`) });
  const row = page.locator('tr').filter({ has: exact(opts.dataId) }).filter({ has: exact(opts.group) });
  await row.first().waitFor().catch((err: unknown) => {
    throw new Error(`the console lists no ${opts.dataId} in group ${opts.group}`, { cause: err });
  });
  await row.first().getByText('Edit', { exact: true }).click();
  const editor = page.locator('.monaco-editor').first();
  await editor.waitFor();
  // The editor fills in after the config is fetched: wait until it holds something.
  for (const deadline = Date.now() + 10_000; (await editorText(editor)) === ''; ) {
    if (Date.now() > deadline) throw new Error(`the console's editor for ${opts.dataId} stayed empty`);
    await page.waitForTimeout(100);
  }
  const before = await editorText(editor);
  const after = opts.edit(before);
  await editor.locator('.view-lines').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.evaluate((t) => (globalThis as unknown as BrowserWindow).navigator.clipboard.writeText(t), after);
  await page.keyboard.press('ControlOrMeta+V');
  let how: EditResult['how'] = 'paste';
  if ((await editorText(editor)) !== after) {
    how = 'model';
    await editorText(editor, after);
  }
  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  // Nacos 3 shows the old and new content side by side and asks to publish again.
  const compare = page.locator('.next-dialog', { hasText: 'Content Comparison' });
  if (await compare.waitFor({ timeout: 5000 }).then(() => true, () => false))
    await compare.getByRole('button', { name: 'Publish', exact: true }).click();
  // The console's own check of the format (JSON, YAML...) asks before publishing what fails it.
  const warning = page.locator('.next-dialog', { hasText: 'syntax errors' });
  if (await warning.isVisible()) {
    if (opts.acceptSyntaxWarning !== true)
      throw new Error(`the console warns that the new content of ${opts.dataId} has syntax errors; pass acceptSyntaxWarning to publish it anyway`);
    await warning.getByRole('button', { name: 'OK' }).click();
  }
  const done = page.locator('.next-dialog', { hasText: opts.dataId }).filter({ has: page.getByRole('button', { name: 'OK' }) });
  await done.waitFor().catch(async (err: unknown) => {
    const shot = join(stateDir, 'screenshots', `console-failure-${opts.dataId}.png`);
    await screenshot(page, shot).catch(() => undefined);
    throw new Error(`publishing ${opts.dataId} from the console showed no confirmation (screenshot: ${shot})`, { cause: err });
  });
  await done.getByRole('button', { name: 'OK' }).click();
  await editor.scrollIntoViewIfNeeded();
  return { before, after, how };
}

/**
 * The text of the Monaco editor rendered in `editor` (`.monaco-editor`), or sets it when `text`
 * is given.
 */
async function editorText(editor: Locator, text?: string): Promise<string> {
  return editor.evaluate((_el, t) => {
    // The console's Monaco (an old one: no getEditors, no data-uri) keeps earlier pages' models;
    // the edit page's own is the newest.
    const model = (globalThis as unknown as MonacoWindow).monaco.editor.getModels().at(-1);
    if (model === undefined) return '';
    if (t !== undefined) model.setValue(t);
    return model.getValue();
  }, text);
}

/** A full-page screenshot at `file` (its directory is created). */
export async function screenshot(page: Page, file: string): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
}

// The browser globals the page functions use (this package compiles without the DOM library).
interface BrowserWindow {
  navigator: { clipboard: { writeText(text: string): Promise<void> } };
}

interface MonacoModel {
  getValue(): string;
  setValue(text: string): void;
}

interface MonacoWindow {
  monaco: { editor: { getModels(): MonacoModel[] } };
}
