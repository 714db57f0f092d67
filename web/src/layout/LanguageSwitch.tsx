import { SegmentedControl } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { currentLanguage, type Language, languages } from '../i18n/i18n.ts';

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <SegmentedControl
      size="xs"
      aria-label={t('language.label')}
      value={currentLanguage()}
      onChange={(value) => void i18n.changeLanguage(value as Language)}
      data={languages.map((language) => ({
        value: language,
        label: <span title={t(`language.${language}`)}>{language.toUpperCase()}</span>,
      }))}
    />
  );
}
