// A table that scrolls sideways on narrow screens. The scrolling region takes keyboard focus and
// carries the table's name, so keyboard users can scroll it too (WCAG 2.1.1).
import { Table } from '@mantine/core';
import type { ReactNode } from 'react';

export function ScrollableTable({
  label,
  minWidth,
  children,
}: {
  label: string;
  minWidth: number;
  children: ReactNode;
}) {
  return (
    <Table.ScrollContainer
      minWidth={minWidth}
      scrollAreaProps={{ viewportProps: { tabIndex: 0, role: 'region', 'aria-label': label } }}
    >
      {children}
    </Table.ScrollContainer>
  );
}
