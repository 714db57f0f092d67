import { Anchor, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <Stack gap="md">
      <Title order={1}>404</Title>
      <Text>{t('navigation.notFound')}</Text>
      <Anchor component={Link} to="/">
        {t('navigation.back')}
      </Anchor>
    </Stack>
  );
}
