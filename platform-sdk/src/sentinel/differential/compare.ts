/**
 * Compares Java's and Silk's replay of one scenario line by line and, when they differ,
 * explains where: the first diverging event (with the request it was), the lines around it,
 * how many events differ in all, and the admitted requests per 1 s window on both sides for
 * the windows that differ.
 */
import type { Scenario } from './scenario.js';

export interface Divergence {
  /** Lines that differ (by position). */
  differing: number;
  report: string;
}

const EVENT_LINE = /^(\d+) (P|B|X|-|S|L|M)\b/;

/** Admitted entries (P lines) per 1 s window from the scenario start. */
function passesPerWindow(s: Scenario, lines: readonly string[]): Map<number, number> {
  const perWindow = new Map<number, number>();
  for (const line of lines) {
    const m = EVENT_LINE.exec(line);
    if (m?.[2] !== 'P') continue;
    const window = Math.floor((s.events[Number(m[1])]!.t - s.startMs) / 1000);
    perWindow.set(window, (perWindow.get(window) ?? 0) + 1);
  }
  return perWindow;
}

export function compareReplays(
  s: Scenario,
  java: readonly string[],
  silk: readonly string[],
): Divergence | null {
  const n = Math.max(java.length, silk.length);
  let first = -1;
  let differing = 0;
  for (let i = 0; i < n; i++) {
    if (java[i] === silk[i]) continue;
    differing++;
    if (first < 0) first = i;
  }
  if (first < 0) return null;
  const at = EVENT_LINE.exec(java[first] ?? silk[first] ?? '');
  const event = at === null ? undefined : s.events[Number(at[1])];
  const around = (lines: readonly string[]): string =>
    lines.slice(Math.max(0, first - 4), first + 5).join(' | ');
  const javaWin = passesPerWindow(s, java);
  const silkWin = passesPerWindow(s, silk);
  const windows = [...new Set([...javaWin.keys(), ...silkWin.keys()])]
    .sort((a, b) => a - b)
    .filter((w) => javaWin.get(w) !== silkWin.get(w))
    .slice(0, 8)
    .map((w) => `window ${w}s: Java ${javaWin.get(w) ?? 0} passed, Silk ${silkWin.get(w) ?? 0}`);
  const report = [
    `scenario "${s.name}" (seed ${s.seed}) diverges at line ${first}: Java "${java[first]}" vs Silk "${silk[first]}"`,
    `event: ${JSON.stringify(event)} (virtual ms ${event === undefined ? '?' : event.t - s.startMs} from start)`,
    `Java around: ${around(java)}`,
    `Silk around: ${around(silk)}`,
    `${differing} of ${n} lines differ`,
    ...windows,
  ].join('\n');
  return { differing, report };
}
