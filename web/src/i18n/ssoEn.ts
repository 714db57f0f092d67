import type { SsoMessages } from './ssoDe.ts';

export const ssoEn: SsoMessages = {
  button: 'Sign in with SSO',
  intro: 'With your account at the sign-in service ({{host}}):',
  or: 'or with an API token',
  unavailable: 'Single sign-on is not possible right now: {{detail}}',
  redirecting: 'On to the sign-in service …',
  completing: 'Completing the sign-in …',
  expired: 'Your SSO sign-in has expired. Please sign in again.',
  signedOut: 'You are signed out, at the sign-in service too.',
  refused: {
    state:
      'The sign-in was refused: the answer from the sign-in service belongs to no sign-in started here. Please sign in again.',
    provider: 'The sign-in service did not grant the sign-in: {{detail}}',
    hub: 'The sign-in service signed you in, but the hub does not accept its token: {{detail}}',
    failed: 'Single sign-on failed: {{detail}}',
  },
};
