import { useInterval } from '@mantine/hooks';
import { useState } from 'react';

/** The current time, renewed every `everyMs`, so relative times move on by themselves. */
export function useNow(everyMs = 30_000): number {
  const [now, setNow] = useState(Date.now);
  useInterval(() => setNow(Date.now()), everyMs, { autoInvoke: true });
  return now;
}
