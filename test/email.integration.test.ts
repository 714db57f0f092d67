// The email connector against a real Dovecot IMAP server and a real SMTP server (smtp-server):
// a full sync with MIME parsing, attachments and senders matched to CRM customers; incremental
// syncs by UID with expunges and flag changes; a new UIDVALIDITY; refused logins; the shared rate
// budget (IMAP announces no limit of its own); and sending with a copy in the sent folder.
import { ImapFlow } from 'imapflow';
import MailComposer from 'nodemailer/lib/mail-composer';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RecordSource, startRecordSource } from '../sandbox/recordSource/index.ts';
import { expectWaitsForAPerson } from './support/authFailure.ts';
import { type Dovecot, startDovecot } from './support/dovecot.ts';
import { freePort } from './support/hubProcess.ts';
import {
  allRecords,
  createIntegration,
  sourceIntegration,
  syncAndWait,
  waitForRun,
} from './support/syncSupport.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

const PASSWORD = 'Postfach-7f3a9c21';
let hub: TestHub;
let dovecot: Dovecot;
let crm: RecordSource;
let smtp: SMTPServer;
let smtpPort: number;
const delivered: { from: string; to: string[]; raw: string }[] = [];
let customerEmails: string[] = [];

beforeAll(async () => {
  [hub, dovecot, crm] = await Promise.all([
    startTestHub({ HUB_SCHEDULER_INTERVAL_MS: '200' }),
    startDovecot({ vertrieb: PASSWORD, leer: PASSWORD }),
    startRecordSource({ count: 30, token: 'crm-token-1' }),
  ]);
  smtpPort = await freePort();
  smtp = new SMTPServer({
    authOptional: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      if (auth.username === 'vertrieb' && auth.password === PASSWORD)
        return callback(null, { user: 'vertrieb' });
      return callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        delivered.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(smtpPort, '127.0.0.1', resolve));
  // The CRM's customers come from another integration, so senders can be matched to them.
  const customers = await createIntegration(
    hub,
    sourceIntegration(crm.url, { credentials: { token: 'crm-token-1' } }),
  );
  await syncAndWait(hub, customers);
  customerEmails = (await allRecords(hub, customers)).map((record) => record.data.email as string);
});

afterAll(async () => {
  await hub.close();
  await dovecot.close();
  await crm.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

async function mailbox(user = 'vertrieb') {
  const client = new ImapFlow({
    host: dovecot.host,
    port: dovecot.port,
    secure: false,
    auth: { user, pass: PASSWORD },
    logger: false,
  });
  await client.connect();
  return client;
}

async function message(options: Record<string, unknown>): Promise<Buffer> {
  return new MailComposer({ to: 'vertrieb@frischeparadies.example', ...options }).compile().build();
}

const emailIntegration = (overrides: Record<string, unknown> = {}) => ({
  name: `Postfach ${Math.random().toString(16).slice(2, 8)}`,
  connector: 'email',
  config: {
    imap: { host: dovecot.host, port: dovecot.port, secure: false },
    smtp: { host: '127.0.0.1', port: smtpPort, secure: false },
    fromAddress: 'vertrieb@frischeparadies.example',
    folders: ['INBOX', 'Sent', 'Archiv'],
    sentFolder: 'Sent',
    batchSize: 10,
  },
  credentials: { username: 'vertrieb', password: PASSWORD },
  schedule: { enabled: false },
  ...overrides,
});

describe('the email connector', () => {
  it('reads every folder, parses MIME and matches senders; then follows new, gone, flagged and renumbered mail', async () => {
    const client = await mailbox();
    await client.mailboxCreate('Archiv');
    for (let index = 0; index < 24; index++) {
      await client.append(
        'INBOX',
        await message({
          from: `"Kunde ${index}" <${customerEmails[index % 5]}>`,
          subject: `Bestellung Nr. ${4711 + index}: Frühkartoffeln, Äpfel und Weißkohl`,
          text: `Guten Tag,\n\nbitte liefern Sie ${index + 2} Kisten Äpfel an unsere Küche.\n\nMit freundlichen Grüßen`,
          ...(index === 0
            ? {
                attachments: [
                  {
                    filename: 'Lieferschein-Großküche.pdf',
                    content: Buffer.alloc(2048, 1),
                    contentType: 'application/pdf',
                  },
                ],
              }
            : {}),
        }),
      );
    }
    await client.append(
      'INBOX',
      await message({ from: 'newsletter@unbekannt.example', subject: 'Angebote', text: 'x' }),
    );
    for (let index = 0; index < 3; index++)
      await client.append(
        'Archiv',
        await message({ from: 'alt@archiv.example', subject: `Alt ${index}`, text: 'a' }),
      );

    const id = await createIntegration(hub, emailIntegration());
    const tested = await hub.request({ method: 'POST', url: `/api/v1/integrations/${id}/test` });
    expect(tested.body).toMatchObject({ ok: true });
    const first = await syncAndWait(hub, id);
    expect(first.state).toBe('succeeded');
    expect(first.counts).toMatchObject({ fetched: 28, created: 28, failed: 0 });

    const records = await allRecords(hub, id, 'email');
    const order = records.find(
      (record) => record.data.subject === 'Bestellung Nr. 4711: Frühkartoffeln, Äpfel und Weißkohl',
    );
    expect(order.data).toMatchObject({
      from: customerEmails[0],
      to: ['vertrieb@frischeparadies.example'],
      folder: 'INBOX',
      seen: false,
      attachments: [{ filename: 'Lieferschein-Großküche.pdf', contentType: 'application/pdf', size: 2048 }],
    });
    expect(order.data.body).toContain('2 Kisten Äpfel');
    expect(order.data.contacts).toHaveLength(1);
    expect(order.data.contacts[0]).toMatchObject({ email: customerEmails[0], canonicalType: 'customer' });
    const newsletter = records.find((record) => record.data.subject === 'Angebote');
    // No match: the mapping leaves the empty list out.
    expect(newsletter.data.contacts ?? []).toEqual([]);

    // New mail, a deleted message and a message marked read since the last sync.
    await client.append(
      'INBOX',
      await message({ from: customerEmails[7], subject: 'Reklamation Feldsalat', text: 'welk' }),
    );
    await client.append(
      'Sent',
      await message({ from: 'vertrieb@frischeparadies.example', subject: 'Re: Angebote', text: 'ok' }),
    );
    const lock = await client.getMailboxLock('INBOX');
    const uids = (await client.search({ all: true }, { uid: true })) || [];
    await client.messageFlagsAdd(String(uids[1]), ['\\Seen'], { uid: true });
    await client.messageDelete(String(uids[2]), { uid: true });
    lock.release();
    const changes = await syncAndWait(hub, id);
    expect(changes.counts).toMatchObject({ fetched: 4, created: 2, updated: 1, deleted: 1 });
    const afterChanges = await allRecords(hub, id, 'email');
    expect(afterChanges).toHaveLength(29);
    expect(
      afterChanges.find(
        (record) => record.data.folder === 'INBOX' && record.externalId.endsWith(`/${uids[1]}`),
      ).data.seen,
    ).toBe(true);

    // Nothing changed: nothing fetched.
    expect((await syncAndWait(hub, id)).counts).toMatchObject({
      fetched: 0,
      created: 0,
      updated: 0,
      deleted: 0,
    });

    // The folder is recreated: its UIDs start again under a new UIDVALIDITY.
    const before = await client.status('Archiv', { uidValidity: true });
    await client.mailboxDelete('Archiv');
    await client.mailboxCreate('Archiv');
    for (let index = 0; index < 2; index++)
      await client.append(
        'Archiv',
        await message({ from: 'neu@archiv.example', subject: `Neu ${index}`, text: 'n' }),
      );
    const after = await client.status('Archiv', { uidValidity: true });
    expect(after ? after.uidValidity : 0n).not.toBe(before ? before.uidValidity : 0n);
    const renumbered = await syncAndWait(hub, id);
    expect(renumbered.counts).toMatchObject({ created: 2, deleted: 3 });
    const archived = (await allRecords(hub, id, 'email')).filter((record) => record.data.folder === 'Archiv');
    expect(archived.map((record) => record.data.subject).sort()).toEqual(['Neu 0', 'Neu 1']);

    // A full sync finds the same and sweeps nothing.
    const full = await syncAndWait(hub, id, { full: true });
    expect(full.counts).toMatchObject({ fetched: 28, created: 0, deleted: 0 });
    await client.logout();
  });

  it('refuses a wrong password with an auth error that needs a person', async () => {
    const id = await createIntegration(
      hub,
      emailIntegration({ credentials: { username: 'vertrieb', password: 'falsch' } }),
    );
    const tested = await hub.request({ method: 'POST', url: `/api/v1/integrations/${id}/test` });
    expect(tested.body.ok).toBe(false);
    expect(tested.body.message).toMatch(/refused the username or password/);
    const run = await syncAndWait(hub, id);
    expect(JSON.stringify(hub.logs)).not.toContain('falsch');
    const logins = () => dovecot.failedLogins('vertrieb');
    await expectWaitsForAPerson(hub, id, run, { sourceRequests: logins });
  });

  it('spends the integration’s shared request budget: a spent daily quota makes the run wait, not fail', async () => {
    const client = await mailbox('leer');
    for (let index = 0; index < 30; index++)
      await client.append(
        'INBOX',
        await message({ from: customerEmails[1], subject: `Anfrage ${index}`, text: 'q' }),
      );
    await client.logout();
    const id = await createIntegration(
      hub,
      emailIntegration({
        credentials: { username: 'leer', password: PASSWORD },
        config: { ...emailIntegration().config, folders: ['INBOX'] },
        rateLimits: { requestsPerMinute: 1000, requestsPerDay: 5 },
      }),
    );
    const started = await hub.request({ method: 'POST', url: `/api/v1/integrations/${id}/sync`, body: {} });
    let run = started.body;
    for (let tries = 0; tries < 100 && run.state !== 'waiting'; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      run = (await hub.request({ method: 'GET', url: `/api/v1/sync-runs/${started.body.id}` })).body;
    }
    expect(run.state).toBe('waiting');
    expect(new Date(run.resumeAt).getTime()).toBeGreaterThan(Date.now() + 3_600_000);
    // What was read before the budget ran out is landed and checkpointed: 1 login, 2 to open the
    // folder, then batches of 10.
    expect(run.counts.created).toBe(20);
    expect(await allRecords(hub, id, 'email')).toHaveLength(20);

    // A new day: the run picks up after the last landed batch.
    await hub.db.query('DELETE FROM rate_limits WHERE key LIKE $1', [`%${id}%`]);
    await hub.db.query(`UPDATE sync_runs SET resume_at = now() - interval '1 minute' WHERE id = $1`, [
      started.body.id,
    ]);
    const resumed = await waitForRun(hub, started.body.id);
    expect(resumed.state).toBe('succeeded');
    expect(resumed.counts).toMatchObject({ created: 30, failed: 0 });
    const subjects = (await allRecords(hub, id, 'email')).map((record) => record.data.subject);
    expect(new Set(subjects).size).toBe(30);
  });

  it('sends through SMTP, keeps a copy in the sent folder, and the next sync shows it', async () => {
    const id = await createIntegration(hub, emailIntegration());
    const sent = await hub.request({
      method: 'POST',
      url: `/api/v1/integrations/${id}/messages`,
      body: {
        to: [customerEmails[3]],
        subject: 'Ihr Angebot: Spargel aus Beelitz',
        text: 'Sehr geehrte Damen und Herren,\n\nanbei unser Angebot für frischen Spargel.',
        attachments: [
          {
            filename: 'Angebot.pdf',
            contentType: 'application/pdf',
            contentBase64: Buffer.from('%PDF-1.4').toString('base64'),
          },
        ],
      },
    });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ accepted: [customerEmails[3]], rejected: [], storedIn: 'Sent' });
    const received = delivered.at(-1);
    expect(received?.to).toEqual([customerEmails[3]]);
    expect(received?.raw).toContain(sent.body.messageId);
    expect(received?.raw).toContain('Angebot.pdf');

    const run = await syncAndWait(hub, id);
    expect(run.state).toBe('succeeded');
    const copy = (await allRecords(hub, id, 'email')).find(
      (record) => record.data.messageId === sent.body.messageId,
    );
    expect(copy.data).toMatchObject({
      folder: 'Sent',
      seen: true,
      subject: 'Ihr Angebot: Spargel aus Beelitz',
    });
    expect(copy.data.contacts[0]).toMatchObject({ email: customerEmails[3] });
    const events = await hub.request({ method: 'GET', url: '/api/v1/events?type=email.sent' });
    expect(
      events.body.items.some((event: { subject: string }) => event.subject === sent.body.messageId),
    ).toBe(true);

    const invalid = await hub.request({
      method: 'POST',
      url: `/api/v1/integrations/${id}/messages`,
      body: { to: ['kein-empfaenger'], subject: 'x', text: 'y' },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors[0].field).toBe('to.0');
  });
});
