// `npm run sandbox`: local imitations of the external systems, for demos and manual tests.
// Each prints where it listens and an integration body that points the hub at it.
// `--customers N` sets how many records every sandbox holds (customers, accounts, prospects,
// items, events, messages, Kunden and Artikel); up to 100,000 each.
import { parseArgs } from 'node:util';
import { startGoogleSandbox } from './google/server.ts';
import { startGraphSandbox } from './graph/server.ts';
import { startKlentySandbox } from './klenty/server.ts';
import { startMondaySandbox } from './monday/server.ts';
import { startPlacetelSandbox } from './phone/placetel.ts';
import { startSipgateSandbox } from './phone/sipgate.ts';
import { startRecordSource } from './recordSource/server.ts';
import { startSalesforceSandbox } from './salesforce/server.ts';
import { sandboxFaultKinds } from './shared/faultInjection.ts';
import { type SoapSandbox, startSoapSandbox } from './soap/server.ts';
import { startXentralSandbox } from './xentral/server.ts';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '250' },
    'xentral-port': { type: 'string', default: '4020' },
    'records-port': { type: 'string', default: '4010' },
    'salesforce-port': { type: 'string', default: '4030' },
    'klenty-port': { type: 'string', default: '4040' },
    'monday-port': { type: 'string', default: '4050' },
    'google-port': { type: 'string', default: '4060' },
    'graph-port': { type: 'string', default: '4070' },
    'placetel-port': { type: 'string', default: '4080' },
    'sipgate-port': { type: 'string', default: '4090' },
    'soap-port': { type: 'string', default: '4100' },
  },
});

const customers = Number(values.customers);
if (!Number.isInteger(customers) || customers < 1 || customers > 100_000) {
  process.stderr.write('--customers must be a whole number from 1 to 100000\n');
  process.exit(1);
}
const xentral = await startXentralSandbox({ customers, port: Number(values['xentral-port']) });
const salesforce = await startSalesforceSandbox({
  accounts: customers,
  port: Number(values['salesforce-port']),
});
const klenty = await startKlentySandbox({ prospects: customers, port: Number(values['klenty-port']) });
const monday = await startMondaySandbox({ items: customers, port: Number(values['monday-port']) });
const google = await startGoogleSandbox({ events: customers, port: Number(values['google-port']) });
const graph = await startGraphSandbox({
  events: customers,
  messages: customers,
  port: Number(values['graph-port']),
});
const records = await startRecordSource({
  count: customers,
  port: Number(values['records-port']),
  token: 'record-source-token',
});
const placetel = await startPlacetelSandbox({ port: Number(values['placetel-port']) });
const sipgate = await startSipgateSandbox({ port: Number(values['sipgate-port']) });
// PHP's SoapServer is not always installed; the others run without it.
const soap: SoapSandbox | Error = await startSoapSandbox({
  kunden: customers,
  artikel: customers,
  port: Number(values['soap-port']),
}).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));

const show = (title: string, url: string, integration: unknown, controls: string) =>
  process.stdout.write(
    `${title}\n  listens on ${url}\n  integration: ${JSON.stringify(integration)}\n${controls}\n\n`,
  );

/** The lines of a sandbox with the shared admin routes; `tokens` says what expiring does there. */
const controls = (url: string, tokens: string) =>
  [
    `  break it: POST ${url}/__sandbox/faults {"rate":0.2}; heal it: POST ${url}/__sandbox/faults {"rate":0}`,
    `  ${tokens}: POST ${url}/__sandbox/tokens/expire`,
  ].join('\n');
const oauthTokens = 'end its access tokens (the connector refreshes)';
const apiKey = 'replace its API key (the answer names the new one)';

process.stdout.write(
  'The sandboxes listen on loopback, which the hub calls only when allowed: start it with\n' +
    '  HUB_ALLOWED_NETWORKS=127.0.0.0/8,::1/128 npm start\n\n',
);
process.stdout.write(
  `Fault settings: {"rate":0..1, "kinds":[${sandboxFaultKinds.map((kind) => `"${kind}"`).join(',')}],` +
    ' "retryAfterSeconds", "latencyMs", "timeoutMs", "seed"}; GET <url>/__sandbox/faults shows them.\n\n',
);
show(
  'Xentral (new API)',
  xentral.url,
  {
    name: 'Xentral sandbox',
    connector: 'xentral',
    config: { baseUrl: xentral.url },
    credentials: { token: xentral.token },
  },
  controls(xentral.url, 'replace its access token (the answer names the new one)'),
);
show(
  'Salesforce (REST API and OAuth token endpoint; the refresh token below is valid for this run)',
  salesforce.url,
  {
    name: 'Salesforce sandbox',
    connector: 'salesforce',
    config: { instanceUrl: salesforce.url, loginUrl: salesforce.url, clientId: salesforce.client.clientId },
    credentials: { clientSecret: salesforce.client.clientSecret, refreshToken: salesforce.grant() },
  },
  controls(salesforce.url, oauthTokens),
);
show(
  'Klenty (the generic REST connector with its "klenty" template)',
  klenty.url,
  {
    name: 'Klenty sandbox',
    connector: 'rest',
    template: 'klenty',
    config: { baseUrl: klenty.baseUrl },
    credentials: { apiKey: klenty.apiKey },
  },
  controls(klenty.url, apiKey),
);
show(
  'Xentral legacy API (the generic REST connector with its "xentral-legacy" template)',
  xentral.url,
  {
    name: 'Xentral legacy sandbox',
    connector: 'rest',
    template: 'xentral-legacy',
    config: { baseUrl: xentral.url },
    credentials: xentral.legacyAccount,
  },
  '  it shares the Xentral sandbox above, but not its faults',
);
show(
  'monday.com (the generic GraphQL connector with its "monday" template)',
  monday.url,
  {
    name: 'monday sandbox',
    connector: 'graphql',
    template: 'monday',
    config: { endpoint: monday.endpoint, resources: { item: { variables: { boardId: [monday.boardId] } } } },
    credentials: { apiKey: monday.token },
  },
  [
    controls(monday.url, apiKey),
    '  webhooks: add config.webhooks {"signature":{"scheme":"jwt"},"challenge":true} and',
    `  credentials.webhookSecret "${monday.signingSecret}", then POST ${monday.endpoint}`,
    `  mutation { create_webhook(board_id: ${monday.boardId}, url: "<hub>/webhooks/<id>", event: change_column_value) { id } }`,
  ].join('\n'),
);
show(
  'Google Calendar (events API and OAuth endpoints; the refresh token below is valid for this run)',
  google.url,
  {
    name: 'Google Calendar sandbox',
    connector: 'google-calendar',
    config: {
      calendarId: google.calendarId,
      clientId: google.client.clientId,
      apiBaseUrl: google.url,
      tokenUrl: google.tokenUrl,
      authorizationUrl: google.authorizeUrl,
    },
    credentials: { clientSecret: google.client.clientSecret, refreshToken: google.grant() },
  },
  controls(google.url, oauthTokens),
);
show(
  'Outlook via Microsoft Graph (delta queries and the v2.0 token endpoint; refresh tokens rotate)',
  graph.url,
  {
    name: 'Outlook sandbox',
    connector: 'microsoft-graph',
    config: { clientId: graph.client.clientId, apiBaseUrl: graph.url, loginUrl: graph.url },
    credentials: { clientSecret: graph.client.clientSecret, refreshToken: graph.grant() },
  },
  controls(graph.url, oauthTokens),
);
show(
  'Paged record source (generic REST)',
  records.url,
  {
    name: 'Record source',
    connector: 'rest',
    entities: ['customer'],
    config: {
      baseUrl: records.url,
      auth: { kind: 'bearer' },
      healthCheckPath: '/health',
      resources: { customer: { path: '/customers', pagination: { style: 'cursor', pageSize: 500 } } },
    },
    credentials: { token: 'record-source-token' },
  },
  '  it has no admin route: tests break it through setFaults() and setOutage()',
);
if (soap instanceof Error) {
  process.stdout.write(
    `SOAP Warenwirtschaft (generic SOAP connector): not started, ${soap.message.split('\n')[0]}\n` +
      '  it needs PHP with SOAP (Debian: apt-get install php8.2-cli php8.2-soap)\n\n',
  );
} else {
  show(
    'SOAP Warenwirtschaft (generic SOAP connector; PHP SoapServer, WS-Security UsernameToken or basic auth)',
    soap.url,
    {
      name: 'Warenwirtschaft sandbox',
      connector: 'soap',
      entities: ['customer', 'product'],
      config: {
        wsdlUrl: soap.wsdlUrl,
        auth: { kind: 'wsSecurity' },
        faults: { rateLimit: ['Server.Ueberlastet'], resync: ['Client.AenderungsprotokollAbgelaufen'] },
        entities: {
          customer: {
            operation: 'GetKunden',
            paging: { style: 'page', pageArgument: 'page', sizeArgument: 'pageSize', pageSize: 500 },
            resultPath: 'Kunden.Kunde',
            totalPath: 'Gesamt',
            idField: 'Kundennummer',
            updatedField: 'GeaendertAm',
            changedSince: { argument: 'geaendertSeit' },
          },
          product: {
            operation: 'GetArtikel',
            paging: { style: 'offset', offsetArgument: 'offset', limitArgument: 'limit', pageSize: 500 },
            resultPath: 'ArtikelListe.Artikel',
            idField: 'Artikelnummer',
          },
        },
      },
      credentials: { username: soap.username, password: soap.password },
    },
    '  it has no admin route: tests queue faults through throttle() and expireChangeLog()',
  );
}
const hubWebhook = '<hub>/webhooks/<integration id>';
const callControls = (url: string) =>
  [
    `  place a call: POST ${url}/__sandbox/calls {"webhookUrl":"${hubWebhook}","from":"+4989123456","to":"+4930555000","direction":"in","outcome":"accepted"}`,
    '  (direction "in" or "out"; outcome "accepted", "missed", "voicemail" or "busy"); the answer lists each event with the hub\'s status',
  ].join('\n');
show(
  'Placetel (posts call events to the hub, signed with X-PLACETEL-SIGNATURE; it listens for its admin route only)',
  placetel.url,
  {
    name: 'Placetel sandbox',
    connector: 'placetel',
    entities: ['call'],
    config: {},
    credentials: { webhookSecret: placetel.secret },
  },
  callControls(placetel.url),
);
show(
  'sipgate.io (posts newCall to the hub, then answer and hangup to the URLs the hub names; RSA-signed)',
  sipgate.url,
  {
    name: 'sipgate sandbox',
    connector: 'sipgate',
    entities: ['call'],
    config: { signingPublicKey: sipgate.publicKey },
    credentials: {},
  },
  callControls(sipgate.url),
);

const stop = () =>
  void Promise.all([
    xentral.close(),
    salesforce.close(),
    klenty.close(),
    monday.close(),
    google.close(),
    graph.close(),
    records.close(),
    placetel.close(),
    sipgate.close(),
    soap instanceof Error ? undefined : soap.close(),
  ]).then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
