// One measured figure of the reliability suite, and the table they end in. A figure with a goal
// says whether it met it; `npm run chaos` exits non-zero when any figure missed its goal.
export interface Figure {
  /** The scenario that measured it, e.g. `faults-outside`. */
  scenario: string;
  /** What was measured, in words, e.g. `scheduled runs succeeded`. */
  figure: string;
  value: number | string;
  /** `%`, `s`, `records`, `runs/s`, … */
  unit?: string;
  /** The promise, in words, e.g. `0`, `< 60 s`, `>= 99.5 %`. */
  goal?: string;
  /** Whether the goal was met; absent for figures without a goal. */
  pass?: boolean;
}

export function formatTable(figures: Figure[]): string {
  const rows = figures.map((f) => [
    f.scenario,
    f.figure,
    `${typeof f.value === 'number' ? formatNumber(f.value) : f.value}${f.unit ? ` ${f.unit}` : ''}`,
    f.goal ?? '',
    f.pass === undefined ? '' : f.pass ? 'ok' : 'MISSED',
  ]);
  const header = ['scenario', 'figure', 'value', 'goal', 'result'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function formatNumber(value: number): string {
  return Number.isInteger(value)
    ? value.toLocaleString('en-US')
    : value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}
