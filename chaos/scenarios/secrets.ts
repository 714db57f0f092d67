// The last scenario: every secret planted in the run (by every scenario) searched for in
// everything the run said, in the forms a leak takes. Before scanning it drives a hub of its own
// through what could leak (secrets/driveHub.ts) and dumps what its API shows, what its
// subscriber received and what its database holds outside sealed columns into the output.
import pg from 'pg';
import { startHostileSource } from '../../test/support/echoingSource.ts';
import { type EventSink, startEventSink } from '../../test/support/eventSink.ts';
import type { ChaosScenario, ScenarioContext } from '../scenario.ts';
import { type ChaosCluster, type ChaosHub, startCluster } from '../support/chaosHub.ts';
import { allSecrets, type Driven, driveHub, newPlantedSecrets, type RawApi } from './secrets/driveHub.ts';
import { scanForSecrets } from './secrets/secretScan.ts';

export const secrets: ChaosScenario = {
  name: 'secrets',
  description:
    'planted secrets searched for in the whole output of the run, after a hub is driven through what could leak them',
  async run(context) {
    const planted = newPlantedSecrets();
    for (const secret of allSecrets(planted)) context.output.plant(secret);
    const cluster = await startCluster(context, 'secrets');
    const source = await startHostileSource({
      clientSecret: planted.clientSecret,
      refreshTokens: planted.refreshTokens,
      accessTokens: planted.accessTokens,
    });
    const sink = await startEventSink();
    try {
      const hub = await cluster.start('hub', { HUB_LOG_LEVEL: 'debug', HUB_SCHEDULER_INTERVAL_MS: '500' });
      const driven = await driveHub(
        context,
        hub,
        rawApi(context, hub, cluster.adminToken),
        source,
        sink,
        planted,
      );
      for (const secret of driven.shownOnce) context.output.plant(secret);
      await dumpApi(hub, driven);
      dumpSubscriber(context, sink);
      await dumpDatabase(context, cluster);
      // Stopped, so its last log lines are written before the scan.
      await hub.stop();

      // The scan is only worth something if the secrets were used: the source must have seen them.
      const meantToReachSource = [
        planted.clientSecret,
        planted.refreshTokens[0]!,
        planted.accessTokens[0]!,
        planted.apiKey,
        planted.password,
        planted.rotatedPassword,
        planted.bearer,
      ];
      const reached = scanForSecrets(
        [{ name: 'source', text: source.received.join('\n') }],
        meantToReachSource,
      ).findings.length;
      const scan = scanForSecrets(context.output.files(), context.output.planted);
      for (const finding of scan.findings) {
        context.progress(`found a planted secret (${finding.secret}) ${finding.encoding} in ${finding.file}`);
      }
      return [
        { figure: 'files scanned', value: scan.files, unit: 'files' },
        { figure: 'bytes scanned', value: Math.round(scan.bytes / 1024), unit: 'KiB' },
        { figure: 'secrets planted', value: scan.secrets, unit: `secrets (${scan.needles} forms searched)` },
        {
          figure: 'planted credentials the hub sent to the hostile source',
          value: `${reached}/${meantToReachSource.length}`,
          goal: 'all',
          pass: reached === meantToReachSource.length,
        },
        {
          figure: 'secrets found in the output',
          value: scan.findings.length,
          goal: '0',
          pass: scan.findings.length === 0,
        },
      ];
    } finally {
      await sink.close();
      await source.close();
      await cluster.close();
    }
  },
};

function rawApi(context: ScenarioContext, hub: ChaosHub, adminToken: string): RawApi {
  return async (method, path, options = {}) => {
    const { authorization, ...headers } = options.headers ?? {};
    const response = await fetch(`${hub.url}${path}`, {
      method,
      headers: {
        ...headers,
        ...(authorization === undefined
          ? { authorization: `Bearer ${adminToken}` }
          : authorization
            ? { authorization }
            : {}),
      },
      ...(options.body === undefined ? {} : { body: options.body }),
    });
    const text = await response.text();
    if (options.keep !== false)
      context.output.append('secrets-hub-responses.log', `${method} ${path} ${response.status} ${text}`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, body };
  };
}

/** What the API shows about everything the drive touched, into the run's output. */
async function dumpApi(hub: ChaosHub, driven: Driven): Promise<void> {
  const get = (path: string) => hub.api('GET', path);
  for (const path of [
    '/api/v1/integrations',
    '/api/v1/events?limit=1000',
    '/api/v1/subscriptions',
    `/api/v1/subscriptions/${driven.subscriptionId}`,
    `/api/v1/subscriptions/${driven.subscriptionId}/deliveries`,
    '/api/v1/audit?limit=500',
    '/api/v1/api-keys',
    '/api/v1/keys',
    '/api/v1/monitoring',
    '/api/v1/overview',
    '/api/v1/conflicts',
    '/api/v1/me',
  ]) {
    await get(path);
  }
  await hub.api('GET', '/metrics', undefined, null);
  for (const id of driven.integrations) {
    for (const part of ['', '/logs?limit=200', '/sync-status', '/records/customer', '/reports']) {
      await get(`/api/v1/integrations/${id}${part}`);
    }
    const runs = await get(`/api/v1/integrations/${id}/sync-runs`);
    for (const run of runs.body?.items ?? []) {
      await get(`/api/v1/sync-runs/${run.id}`);
      await get(`/api/v1/sync-runs/${run.id}/failures`);
    }
    const webhooks = await get(`/api/v1/integrations/${id}/webhooks`);
    for (const webhook of webhooks.body?.items ?? []) await get(`/api/v1/webhooks/${webhook.id}`);
  }
}

function dumpSubscriber(context: ScenarioContext, sink: EventSink): void {
  for (const delivery of sink.received) {
    context.output.append('secrets-subscriber.log', `${JSON.stringify(delivery.headers)} ${delivery.body}`);
  }
}

/** Every row of the hub's tables as text: a secret must not sit anywhere outside the sealed columns. */
async function dumpDatabase(context: ScenarioContext, cluster: ChaosCluster): Promise<void> {
  const db = new pg.Client({ connectionString: cluster.database.url });
  await db.connect();
  try {
    const tables = await db.query<{ name: string }>(
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`,
    );
    for (const { name } of tables.rows) {
      const rows = await db.query<{ row: string }>(`SELECT t::text AS row FROM "${name}" t`);
      context.output.append(
        'secrets-database.txt',
        rows.rows.map((row) => `${name} ${row.row}`).join('\n') || name,
      );
    }
  } finally {
    await db.end();
  }
}
