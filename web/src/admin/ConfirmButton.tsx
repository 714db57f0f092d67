// A button that asks before it acts, for actions that cannot be undone.
import { Button, type ButtonProps, Group, Modal, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

interface Props extends ButtonProps {
  label: string;
  title: string;
  question: string;
  onConfirm(): Promise<unknown>;
}

export function ConfirmButton({ label, title, question, onConfirm, ...buttonProps }: Props) {
  const { t } = useTranslation();
  const [opened, setOpened] = useState(false);
  const [busy, setBusy] = useState(false);
  const confirm = async () => {
    setBusy(true);
    try {
      await onConfirm();
      setOpened(false);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button {...buttonProps} onClick={() => setOpened(true)}>
        {label}
      </Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title={title}>
        <Text mb="md">{question}</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setOpened(false)}>
            {t('operations.common.cancel')}
          </Button>
          <Button color="red" loading={busy} onClick={() => void confirm()}>
            {t('operations.common.confirm')}
          </Button>
        </Group>
      </Modal>
    </>
  );
}

export function formatTime(value: string | null | undefined, language: string): string {
  return value ? new Date(value).toLocaleString(language === 'en' ? 'en-GB' : 'de-DE') : '–';
}
