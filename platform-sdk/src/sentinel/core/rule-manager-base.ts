/**
 * What every rule manager shares: listeners told after each applied load. The slot chain
 * listens, so a protection with no rules loaded costs an entry nothing at all.
 */
export abstract class RuleManagerBase {
  #listeners: (() => void)[] = [];

  /** Calls `listener` after every applied load; returns the function that removes it. */
  onRulesChanged(listener: () => void): () => void {
    this.#listeners = [...this.#listeners, listener];
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  /** Whether any rule is in force. */
  abstract hasRules(): boolean;

  protected rulesChanged(): void {
    for (const listener of this.#listeners) listener();
  }
}
