// Reads of the detail page. While a run is unfinished the page polls quickly, so counts grow live.
import { useQuery } from '@tanstack/react-query';
import { api, apiGet } from '../api/client.ts';
import type {
  EntityStatus,
  IntegrationDetail,
  ReceivedWebhook,
  RecordFailure,
  RequestLog,
  SyncRunView,
} from './types.ts';

export const detailKey = (id: string) => ['integration', id] as const;
const unfinished = new Set(['queued', 'running', 'waiting']);

export function useIntegration(id: string) {
  return useQuery({
    queryKey: detailKey(id),
    queryFn: async () => {
      const { data, headers } = await api<IntegrationDetail>(`/integrations/${id}`);
      return { integration: data, etag: headers.get('etag') ?? `"${data.version}"` };
    },
    refetchInterval: 10_000,
  });
}

export function useSyncRuns(id: string) {
  return useQuery({
    queryKey: [...detailKey(id), 'runs'],
    queryFn: async () =>
      (await apiGet<{ items: SyncRunView[] }>(`/integrations/${id}/sync-runs?limit=20`)).items,
    refetchInterval: (query) => (query.state.data?.some((run) => unfinished.has(run.state)) ? 1_000 : 10_000),
  });
}

export function useSyncStatus(id: string) {
  return useQuery({
    queryKey: [...detailKey(id), 'status'],
    queryFn: async () =>
      (await apiGet<{ entities: EntityStatus[] }>(`/integrations/${id}/sync-status`)).entities,
    refetchInterval: 5_000,
  });
}

export function useRequestLogs(id: string) {
  return useQuery({
    queryKey: [...detailKey(id), 'logs'],
    queryFn: async () => (await apiGet<{ items: RequestLog[] }>(`/integrations/${id}/logs?limit=50`)).items,
    refetchInterval: 10_000,
  });
}

export function useWebhooks(id: string) {
  return useQuery({
    queryKey: [...detailKey(id), 'webhooks'],
    queryFn: async () =>
      (await apiGet<{ items: ReceivedWebhook[] }>(`/integrations/${id}/webhooks?limit=50`)).items,
    refetchInterval: 10_000,
  });
}

export function useRunFailures(runId: string | null) {
  return useQuery({
    queryKey: ['sync-run', runId, 'failures'],
    queryFn: async () =>
      (await apiGet<{ items: RecordFailure[] }>(`/sync-runs/${runId}/failures?limit=100`)).items,
    enabled: runId !== null,
  });
}
