// The next time an integration's cron expression fires, in its own time zone.
import { CronExpressionParser } from 'cron-parser';

export function nextOccurrence(cron: string, timezone: string, after: Date = new Date()): Date {
  return CronExpressionParser.parse(cron, { currentDate: after, tz: timezone }).next().toDate();
}
