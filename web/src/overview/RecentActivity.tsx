// Recent Activity: the last integration events, newest first, growing live from the event stream.
import { Badge, Group, Paper, Text, ThemeIcon, Timeline, Title } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconInfoCircle, IconX } from '@tabler/icons-react';
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { HubEvent } from '../api/types.ts';
import { useEventStream } from '../events/useEventStream.ts';
import { clockTime } from '../format/relativeTime.ts';
import { currentLanguage } from '../i18n/i18n.ts';
import { activityLine, type Tone } from './activityMessage.ts';

const KEPT = 30;
const toneIcon: Record<Tone, { color: string; icon: typeof IconCheck }> = {
  success: { color: 'green', icon: IconCheck },
  warning: { color: 'orange', icon: IconAlertTriangle },
  error: { color: 'red', icon: IconX },
  info: { color: 'blue', icon: IconInfoCircle },
};
const streamColor = { live: 'green', connecting: 'gray', offline: 'orange' } as const;

export function RecentActivity({
  names,
  onEvents,
}: {
  names: ReadonlyMap<string, string>;
  onEvents(events: HubEvent[]): void;
}) {
  const { t } = useTranslation();
  const [events, setEvents] = useState<HubEvent[]>([]);
  const receive = useCallback(
    (incoming: HubEvent[]) => {
      setEvents((shown) => {
        const seen = new Set(shown.map((event) => event.id));
        const fresh = incoming.filter((event) => !seen.has(event.id)).reverse();
        return [...fresh, ...shown].slice(0, KEPT);
      });
      onEvents(incoming);
    },
    [onEvents],
  );
  const state = useEventStream({ type: 'integration.', backlog: KEPT, onEvents: receive });
  const language = currentLanguage();
  const lines = events.flatMap((event) => {
    const line = activityLine(event, names, t, language);
    return line ? [{ event, line }] : [];
  });

  return (
    <Paper withBorder radius="md" p="md" component="section" aria-labelledby="activity-title">
      <Group justify="space-between" mb="md">
        <Title order={2} size="h3" id="activity-title">
          {t('activity.title')}
        </Title>
        <Badge variant="dot" color={streamColor[state]} role="status">
          {t(`activity.${state}`)}
        </Badge>
      </Group>
      {lines.length === 0 ? (
        <Text c="dimmed">{t('activity.empty')}</Text>
      ) : (
        <Timeline bulletSize={26} lineWidth={2} aria-live="polite" data-testid="activity">
          {lines.map(({ event, line }) => {
            const { color, icon: Icon } = toneIcon[line.tone];
            return (
              <Timeline.Item
                key={event.id}
                bullet={
                  <ThemeIcon color={color} size={26} radius="xl">
                    <Icon size={14} aria-hidden />
                  </ThemeIcon>
                }
              >
                <Text size="sm" fw={500} lineClamp={3} style={{ overflowWrap: 'anywhere' }} title={line.text}>
                  {line.text}
                </Text>
                <Text size="xs" c="dimmed">
                  <time dateTime={event.time}>{clockTime(event.time, language)}</time>
                </Text>
              </Timeline.Item>
            );
          })}
        </Timeline>
      )}
    </Paper>
  );
}
