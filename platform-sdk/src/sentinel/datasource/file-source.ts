/**
 * Rules from local JSON files, one per kind, re-read when the file changes (Java:
 * FileRefreshableDataSource, which polls the modification time every 3 s by default). Polling
 * the file's stat, rather than inotify, also sees files replaced by rename (editors,
 * ConfigMap updates) and works on every platform.
 *
 * Replace rule files atomically (write a temporary file, then rename): a file caught half
 * written reads as broken JSON (the last rules stay) or, if caught empty, as "no rules".
 */
import { readFile } from 'node:fs/promises';
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import type { RuleKind } from '../core/rule-parse.js';
import { SentinelRuleSourceError } from '../errors.js';
import type { RuleSource, RuleSourceListener, RuleSubscription } from './rule-source.js';

export const DEFAULT_REFRESH_MS = 3000;

export interface FileRuleSourceOptions {
  /** The file holding each kind's JSON array; kinds without a file get no rules from here. */
  files: Partial<Record<RuleKind, string>>;
  /** How often to look for changes; default 3000 ms, as Java. */
  refreshMs?: number;
}

export class FileRuleSource implements RuleSource {
  readonly name: string;
  readonly #files: Partial<Record<RuleKind, string>>;
  readonly #refreshMs: number;

  constructor(options: FileRuleSourceOptions) {
    this.#files = options.files;
    this.#refreshMs = options.refreshMs ?? DEFAULT_REFRESH_MS;
    this.name = `file:${Object.values(options.files).join(',')}`;
  }

  async subscribe(kind: RuleKind, listener: RuleSourceListener): Promise<RuleSubscription> {
    const path = this.#files[kind];
    if (path === undefined) return { close: () => Promise.resolve() };
    // Reads are chained so a slow read can never deliver after a newer one.
    let chain = this.#deliver(kind, path, listener);
    await chain;
    const onChange = (curr: Stats, prev: Stats): void => {
      if (curr.mtimeMs === prev.mtimeMs && curr.size === prev.size) return;
      chain = chain.then(() => this.#deliver(kind, path, listener));
    };
    watchFile(path, { interval: this.#refreshMs, persistent: false }, onChange);
    return {
      close: async () => {
        unwatchFile(path, onChange);
        await chain;
      },
    };
  }

  async #deliver(kind: RuleKind, path: string, listener: RuleSourceListener): Promise<void> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      listener.onError?.(new SentinelRuleSourceError(`file ${path}`, kind, err));
      return;
    }
    listener.onRules(text);
  }
}
