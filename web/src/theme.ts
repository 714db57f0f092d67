// Mantine's theme with colours dark enough for WCAG AA contrast on white (checked with axe-core
// in the browser tests): filled and outline colours use shade 9, light variants (badges, light
// buttons, alert titles) a darkened shade 9 on their tint, error text red 9, dimmed text gray 7.
import {
  type CSSVariablesResolver,
  createTheme,
  darken,
  defaultVariantColorsResolver,
  parseThemeColor,
  type VariantColorsResolver,
} from '@mantine/core';

/** Colours whose shade 9 is still too light under white text (orange 9 reaches 4.3:1). */
const brightColors = new Set(['orange', 'yellow', 'lime']);

const variantColorResolver: VariantColorsResolver = (input) => {
  const colors = defaultVariantColorsResolver(input);
  const parsed = parseThemeColor({ color: input.color ?? input.theme.primaryColor, theme: input.theme });
  const shades = parsed.isThemeColor ? input.theme.colors[parsed.color] : undefined;
  if (!shades) return colors;
  if (input.variant === 'light') {
    // Shade 9 alone reaches only about 4:1 on the light tint for small badge text.
    return { ...colors, color: darken(shades[9], 0.3), hoverColor: darken(shades[9], 0.3) };
  }
  if (input.variant === 'filled' && brightColors.has(parsed.color)) {
    return { ...colors, background: darken(shades[9], 0.15), hover: darken(shades[9], 0.25), color: '#fff' };
  }
  return colors;
};

export const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: { light: 9, dark: 8 },
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  defaultRadius: 'md',
  variantColorResolver,
});

export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-color-error': 'var(--mantine-color-red-9)',
  },
  dark: {},
});
