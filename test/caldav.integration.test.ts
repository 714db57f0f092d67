// The CalDAV connector against a real Radicale: a full listing by sync-collection, changes and
// deletions by sync token, a refused token answered with a full resync that sweeps what is gone,
// wrong passwords, discovery by display name, and the integration's rate limit on CalDAV requests
// (a CalDAV server announces no limit of its own: the integration's budget is what paces it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectWaitsForAPerson } from './support/authFailure.ts';
import { type Radicale, startRadicale } from './support/radicale.ts';
import { allRecords, createIntegration, syncAndWait } from './support/syncSupport.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

let hub: TestHub;
let radicale: Radicale;

beforeAll(async () => {
  hub = await startTestHub({ HUB_SCHEDULER_INTERVAL_MS: '200' });
  radicale = await startRadicale();
});

afterAll(async () => {
  await hub?.close();
  await radicale?.close();
});

const activities = [
  'Lieferung Frischfisch',
  'Verkostung Wintergemüse',
  'Reklamation Molkereiprodukte',
  'Jahresgespräch Einkauf',
  'Lieferung Backwaren',
  'Schulung Kühlkette',
];
const customers = [
  { name: 'Hotel Adler, München', address: 'Hotel Adler, Maximilianstraße 12, 80539 München' },
  { name: 'Gasthaus Zur Linde, Köln', address: 'Gasthaus Zur Linde, Lindenstraße 3, 50674 Köln' },
  { name: 'Bäckerei Müller, Würzburg', address: 'Bäckerei Müller, Domstraße 8, 97070 Würzburg' },
  { name: 'Kantine Süd, Stuttgart', address: 'Kantine Süd, Königstraße 40, 70173 Stuttgart' },
  {
    name: 'Restaurant Seeblick, Überlingen',
    address: 'Restaurant Seeblick, Seepromenade 1, 88662 Überlingen',
  },
];
const description =
  'Bitte Anlieferung über den Hintereingang, Kühlware zuerst.\nAnsprechpartner: Herr Huber, Küchenchef; ' +
  'Telefon 089 1234567. Rechnung mit Lieferschein Nr. 4711 beilegen.';

const title = (index: number) => `${activities[index % 6]} – ${customers[index % 5]!.name}`;
const uid = (index: number) => `evt-${String(index).padStart(3, '0')}@frischdienst.example`;
const objectName = (index: number) => `evt-${String(index).padStart(3, '0')}.ics`;
const escapeText = (text: string) => text.replace(/[\\;,]/g, (char) => `\\${char}`).replace(/\n/g, '\\n');

/** Lines longer than 75 characters are folded, as calendar clients do. */
function fold(line: string): string {
  const parts = [line.slice(0, 75)];
  for (let index = 75; index < line.length; index += 74) parts.push(` ${line.slice(index, index + 74)}`);
  return parts.join('\r\n');
}

function eventIcs(index: number, summary = title(index)): string {
  const day = new Date(Date.UTC(2026, 2, 2 + index)).toISOString().slice(0, 10).replaceAll('-', '');
  const hour = String(7 + (index % 8)).padStart(2, '0');
  const allDay = index % 10 === 7;
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Frischdienst Test//CalDAV//DE',
    'BEGIN:VEVENT',
    `UID:${uid(index)}`,
    'DTSTAMP:20260201T090000Z',
    ...(allDay
      ? [`DTSTART;VALUE=DATE:${day}`]
      : [`DTSTART;TZID=Europe/Berlin:${day}T${hour}0000`, `DTEND;TZID=Europe/Berlin:${day}T${hour}4500`]),
    `SUMMARY:${escapeText(summary)}`,
    `LOCATION:${escapeText(customers[index % 5]!.address)}`,
    `DESCRIPTION:${escapeText(description)}`,
    'ATTENDEE;CN="Disposition: Frischdienst";ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:disposition@frischdienst.example',
    `ATTENDEE;CN=Küche ${index};PARTSTAT=NEEDS-ACTION:mailto:kueche${index}@kunde.example`,
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return `${lines.map(fold).join('\r\n')}\r\n`;
}

async function dav(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  const answer = await fetch(`${radicale.url}${path}`, {
    method,
    headers: { authorization: radicale.authorization, ...headers },
    ...(body === undefined ? {} : { body }),
  });
  const text = await answer.text();
  if (answer.status >= 300) throw new Error(`${method} ${path}: HTTP ${answer.status} ${text}`);
  return text;
}

const putEvent = (calendar: string, index: number, summary?: string) =>
  dav('PUT', `${calendar}${objectName(index)}`, eventIcs(index, summary), {
    'content-type': 'text/calendar; charset=utf-8',
  });

/** MKCALENDAR with a display name, then PUT of `count` events; returns the collection's path. */
async function seedCalendar(slug: string, name: string, count: number): Promise<string> {
  const calendar = `/${radicale.username}/${slug}/`;
  await dav(
    'MKCALENDAR',
    calendar,
    `<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:set><D:prop>
    <D:displayname>${name}</D:displayname>
    <C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>
  </D:prop></D:set>
</C:mkcalendar>`,
    { 'content-type': 'application/xml; charset=utf-8' },
  );
  for (let index = 0; index < count; index++) await putEvent(calendar, index);
  return calendar;
}

const integration = (config: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  name: `CalDAV ${Math.random().toString(16).slice(2, 8)}`,
  connector: 'caldav',
  config: { serverUrl: radicale.url, ...config },
  credentials: { username: radicale.username, password: radicale.password },
  schedule: { enabled: false },
  ...extra,
});

describe('the CalDAV connector', () => {
  it('lists everything, follows changes by sync token, and resyncs fully when the token is refused', async () => {
    const calendar = await seedCalendar('frischware', 'Disposition Frischware', 30);
    const id = await createIntegration(hub, integration({ calendarPath: calendar, pageSize: 8 }));
    const tested = await hub.request({ method: 'POST', url: `/api/v1/integrations/${id}/test` });
    expect(tested.body).toMatchObject({
      ok: true,
      message: 'the calendar "Disposition Frischware" answered',
    });

    const first = await syncAndWait(hub, id);
    expect(first.state).toBe('succeeded');
    expect(first.counts).toMatchObject({ fetched: 30, created: 30, failed: 0 });
    const records = await allRecords(hub, id, 'calendarEvent');
    expect(records).toHaveLength(30);
    const byId = new Map(records.map((record) => [record.externalId, record.data]));
    // Folded lines, escaped commas and newlines, TZID times with their offset, quoted parameters.
    expect(byId.get(`${calendar}${objectName(0)}`)).toEqual({
      uid: uid(0),
      title: 'Lieferung Frischfisch – Hotel Adler, München',
      start: '2026-03-02T07:00:00+01:00',
      end: '2026-03-02T07:45:00+01:00',
      location: 'Hotel Adler, Maximilianstraße 12, 80539 München',
      description,
      attendees: ['disposition@frischdienst.example', 'kueche0@kunde.example'],
    });
    // Summer time from 29 March 2026; all-day events are dates and last one day.
    expect(byId.get(`${calendar}${objectName(28)}`)).toMatchObject({
      start: '2026-03-30T11:00:00+02:00',
      end: '2026-03-30T11:45:00+02:00',
    });
    expect(byId.get(`${calendar}${objectName(7)}`)).toMatchObject({
      title: 'Verkostung Wintergemüse – Bäckerei Müller, Würzburg',
      start: '2026-03-09',
      end: '2026-03-10',
    });
    const state = await hub.db.query<{ state: { connector: { syncToken?: string } } }>(
      `SELECT sync_state AS state FROM sync_status WHERE integration_id = $1 AND entity_type = 'calendarEvent'`,
      [id],
    );
    expect(state.rows[0]?.state.connector.syncToken).toMatch(/^http:\/\/radicale\.org\/ns\/sync\//);

    const quiet = await syncAndWait(hub, id);
    expect(quiet.counts).toMatchObject({ fetched: 0, created: 0, updated: 0, deleted: 0 });

    await putEvent(calendar, 5, 'Verkostung Wintergemüse – verschoben auf Freitag');
    await putEvent(calendar, 100);
    await dav('DELETE', `${calendar}${objectName(10)}`);
    const changes = await syncAndWait(hub, id);
    expect(changes.counts).toMatchObject({ fetched: 3, created: 1, updated: 1, deleted: 1, failed: 0 });
    const afterChanges = await allRecords(hub, id, 'calendarEvent');
    expect(afterChanges).toHaveLength(30);
    expect(
      afterChanges.find((record) => record.externalId === `${calendar}${objectName(5)}`)?.data.title,
    ).toBe('Verkostung Wintergemüse – verschoben auf Freitag');
    expect(afterChanges.some((record) => record.externalId === `${calendar}${objectName(10)}`)).toBe(false);

    // A token the server does not know (as after its token history was pruned) while an event
    // disappears: Radicale answers 403 DAV:valid-sync-token, a full pass follows, the sweep removes it.
    await dav('DELETE', `${calendar}${objectName(20)}`);
    await hub.db.query(
      `UPDATE sync_status SET sync_state = jsonb_set(sync_state, '{connector,syncToken}', to_jsonb($2::text))
        WHERE integration_id = $1 AND entity_type = 'calendarEvent'`,
      [id, `http://radicale.org/ns/sync/${'0'.repeat(64)}`],
    );
    const resync = await syncAndWait(hub, id);
    expect(resync.state).toBe('succeeded');
    expect(resync.counts).toMatchObject({ fetched: 29, created: 0, updated: 0, deleted: 1 });
    const live = await allRecords(hub, id, 'calendarEvent');
    const expected = [...Array(30).keys(), 100]
      .filter((index) => index !== 10 && index !== 20)
      .map((index) => `${calendar}${objectName(index)}`);
    expect(live.map((record) => record.externalId).sort()).toEqual(expected.sort());
    await hub.hub.context.runtime.requestLog.flush();
    const refused = await hub.db.query(
      `SELECT 1 FROM integration_logs WHERE integration_id = $1 AND method = 'REPORT' AND http_status = 403`,
      [id],
    );
    expect(refused.rowCount).toBe(1);
    expect(hub.logs.join('')).toContain('rejected the sync token');

    const afterResync = await syncAndWait(hub, id);
    expect(afterResync.counts).toMatchObject({ fetched: 0, deleted: 0 });
  });

  it('reports a wrong password as an auth failure', async () => {
    const calendar = await seedCalendar('zugang', 'Zugangstest', 1);
    const body = integration({ calendarPath: calendar });
    const id = await createIntegration(hub, {
      ...body,
      credentials: { username: radicale.username, password: 'falsches-passwort-123' },
    });
    const tested = await hub.request({ method: 'POST', url: `/api/v1/integrations/${id}/test` });
    expect(tested.body).toMatchObject({ ok: false, httpStatus: 401 });
    const run = await syncAndWait(hub, id);
    await expectWaitsForAPerson(hub, id, run);
    const read = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}` });
    expect(read.raw).not.toContain('falsches-passwort-123');
  });

  it('finds a calendar by its display name from the server root', async () => {
    await seedCalendar('touren', 'Tourenplanung Süd', 4);
    const id = await createIntegration(hub, integration({ calendarName: 'tourenplanung süd' }));
    const tested = await hub.request({ method: 'POST', url: `/api/v1/integrations/${id}/test` });
    expect(tested.body).toMatchObject({ ok: true, message: 'the calendar "Tourenplanung Süd" answered' });
    const run = await syncAndWait(hub, id);
    expect(run.counts).toMatchObject({ fetched: 4, created: 4 });
    const health = await hub.request({ method: 'POST', url: `/api/v1/integrations/${id}/health-check` });
    expect(health.body).toMatchObject({ ok: true });

    const missing = await createIntegration(hub, integration({ calendarName: 'Gibt es nicht' }));
    const notFound = await hub.request({ method: 'POST', url: `/api/v1/integrations/${missing}/test` });
    expect(notFound.body.ok).toBe(false);
    expect(notFound.body.message).toMatch(
      /no calendar is named "Gibt es nicht" \(found: .*"Tourenplanung Süd"/,
    );
  });

  it('spends the integration rate limit on CalDAV requests and waits when it is used up', async () => {
    const calendar = await seedCalendar('kuehlkette', 'Kühlkette', 30);
    // 30 events in chunks of 10: one sync-collection REPORT and three calendar-multiget REPORTs.
    const id = await createIntegration(
      hub,
      integration({ calendarPath: calendar, pageSize: 10 }, { rateLimits: { requestsPerMinute: 3 } }),
    );
    // The integration's current one-minute window ends in four seconds (instead of up to a minute),
    // so the fourth request has to wait for it.
    const windowEnds = Date.now() + 4_000;
    await hub.db.query('INSERT INTO rate_limits (key, points, expire) VALUES ($1, 0, $2)', [
      `int-min:${id}`,
      windowEnds,
    ]);
    const started = Date.now();
    const run = await syncAndWait(hub, id);
    expect(run.state).toBe('succeeded');
    expect(run.counts).toMatchObject({ fetched: 30, created: 30 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(windowEnds - started - 50);
    await hub.hub.context.runtime.requestLog.flush();
    const requests = await hub.db.query<{ at: Date }>(
      `SELECT created_at AS at FROM integration_logs WHERE integration_id = $1 ORDER BY created_at`,
      [id],
    );
    expect(requests.rows).toHaveLength(4);
    expect(requests.rows[2]!.at.getTime()).toBeLessThan(windowEnds);
    expect(requests.rows[3]!.at.getTime()).toBeGreaterThanOrEqual(windowEnds - 5);
    const budget = await hub.db.query<{ points: number }>('SELECT points FROM rate_limits WHERE key = $1', [
      `int-min:${id}`,
    ]);
    expect(budget.rows[0]?.points).toBe(1);
  });
});
