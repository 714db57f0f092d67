import { useQuery } from '@tanstack/react-query';
import { apiGet } from '../api/client.ts';
import type { Connector, Overview } from '../api/types.ts';

export const overviewKey = ['overview'] as const;

export function useOverview() {
  return useQuery({
    queryKey: overviewKey,
    queryFn: () => apiGet<Overview>('/overview'),
    // Events refresh it at once; this catches what no event announces, such as record counts mid-run.
    refetchInterval: 30_000,
  });
}

export function useConnectors() {
  return useQuery({
    queryKey: ['connectors'],
    queryFn: async () => (await apiGet<{ items: Connector[] }>('/connectors')).items,
    staleTime: Number.POSITIVE_INFINITY,
  });
}
