// German strings of single sign-on at the OpenID provider; ssoEn.ts has the same keys.
export const ssoDe = {
  button: 'Mit SSO anmelden',
  intro: 'Mit Ihrem Konto beim Anmeldedienst ({{host}}):',
  or: 'oder mit einem API-Token',
  unavailable: 'Die Anmeldung per SSO ist gerade nicht möglich: {{detail}}',
  redirecting: 'Weiter zum Anmeldedienst …',
  completing: 'Anmeldung wird abgeschlossen …',
  expired: 'Ihre SSO-Anmeldung ist abgelaufen. Bitte melden Sie sich erneut an.',
  signedOut: 'Sie sind abgemeldet, auch beim Anmeldedienst.',
  refused: {
    state:
      'Die Anmeldung wurde abgewiesen: Die Antwort des Anmeldedienstes gehört zu keiner hier begonnenen Anmeldung. Bitte melden Sie sich erneut an.',
    provider: 'Der Anmeldedienst hat die Anmeldung nicht erteilt: {{detail}}',
    hub: 'Der Anmeldedienst hat Sie angemeldet, der Hub nimmt dessen Token aber nicht an: {{detail}}',
    failed: 'Die Anmeldung per SSO ist fehlgeschlagen: {{detail}}',
  },
};

export type SsoMessages = typeof ssoDe;
