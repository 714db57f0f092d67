// What a person can do on an integration's detail page: test its connection, sync now, pause or
// resume it (a merge patch with the ETag read, so a concurrent change is not overwritten), delete
// it, and replay a received webhook.
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api } from '../api/client.ts';
import { overviewKey } from '../overview/queries.ts';
import { detailKey } from './queries.ts';

interface Target {
  id: string;
  name: string;
  etag: string;
}

export function useDetailActions(target: Target) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: detailKey(target.id) }),
      queryClient.invalidateQueries({ queryKey: overviewKey }),
    ]);
  const failed = (error: Error) =>
    notifications.show({ color: 'red', message: t('detail.actions.failed', { detail: error.message }) });

  const test = useMutation({
    mutationFn: async () =>
      (
        await api<{ ok: boolean; message: string; latencyMs: number }>(`/integrations/${target.id}/test`, {
          method: 'POST',
        })
      ).data,
    onError: failed,
  });

  const sync = useMutation({
    mutationFn: async () =>
      (await api<{ alreadyQueued: boolean }>(`/integrations/${target.id}/sync`, { method: 'POST', body: {} }))
        .data,
    onSuccess: (run) => {
      notifications.show({
        message: t(run.alreadyQueued ? 'detail.actions.alreadyRunning' : 'detail.actions.syncStarted'),
      });
      void refresh();
    },
    onError: failed,
  });

  const setStatus = useMutation({
    mutationFn: async (status: 'active' | 'inactive') =>
      api(`/integrations/${target.id}`, {
        method: 'PATCH',
        body: { status },
        headers: { 'if-match': target.etag },
      }),
    onSuccess: (_data, status) => {
      notifications.show({
        message: t(status === 'inactive' ? 'detail.actions.paused' : 'detail.actions.resumed', {
          name: target.name,
        }),
      });
      void refresh();
    },
    onError: (error: Error) => {
      failed(error);
      void refresh();
    },
  });

  const remove = useMutation({
    mutationFn: async () =>
      api(`/integrations/${target.id}`, { method: 'DELETE', headers: { 'if-match': target.etag } }),
    onSuccess: () => {
      notifications.show({ message: t('detail.actions.deleted', { name: target.name }) });
      queryClient.removeQueries({ queryKey: detailKey(target.id) });
      void queryClient.invalidateQueries({ queryKey: overviewKey });
      void navigate('/');
    },
    onError: failed,
  });

  const replay = useMutation({
    mutationFn: async (webhookId: string) => api(`/webhooks/${webhookId}/replay`, { method: 'POST' }),
    onSuccess: () => {
      notifications.show({ message: t('detail.webhooks.replayed') });
      void refresh();
    },
    onError: failed,
  });

  return { test, sync, setStatus, remove, replay };
}
