// Figures of the faults-inside scenario with their goals: nothing lost or doubled is 0, and the
// hub is back within the time FC-021 gives it.
import type { Figure } from '../../figures.ts';

export type ScenarioFigure = Omit<Figure, 'scenario'>;

/** Something that must not happen at all. */
export function none(figure: string, value: number, unit?: string): ScenarioFigure {
  return { figure, value, ...(unit ? { unit } : {}), goal: '0', pass: value === 0 };
}

/** A time that must stay under `limitSeconds`. */
export function within(figure: string, seconds: number, limitSeconds: number): ScenarioFigure {
  const value = Math.round(seconds * 10) / 10;
  return { figure, value, unit: 's', goal: `< ${limitSeconds} s`, pass: seconds < limitSeconds };
}

/** A state that must be the expected one. */
export function is(figure: string, value: string, expected: string): ScenarioFigure {
  return { figure, value, goal: expected, pass: value === expected };
}

/** A figure that says what happened, without a goal. */
export function measured(figure: string, value: number | string, unit?: string): ScenarioFigure {
  return { figure, value, ...(unit ? { unit } : {}) };
}
