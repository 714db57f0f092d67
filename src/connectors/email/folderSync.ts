// Reading the configured folders into batches. Each folder's checkpoint is its UIDVALIDITY, the set
// of UIDs already landed and its HIGHESTMODSEQ. A sync lands the UIDs not seen before, refetches
// messages whose flags changed (CONDSTORE), and reports UIDs that vanished as deletions. A new
// UIDVALIDITY means every UID of the folder was renumbered: the old records are deleted and the folder
// is read again. Record ids carry the UIDVALIDITY so the two generations never mix.
import type { ImapFlow } from 'imapflow';
import type { SourceRecord, SyncBatch, SyncRequest } from '../sdk/adapter.ts';
import type { ContactMatch } from '../sdk/connectorDefinition.ts';
import type { EmailConfig } from './config.ts';
import { imapError } from './imapSession.ts';
import { type FetchedMessage, matchContacts, parseMessage } from './messageParser.ts';
import { decodeUidSet, encodeUidSet } from './uidSet.ts';

interface FolderState {
  uidValidity: string;
  uids: string;
  modseq?: string;
}

interface EmailState {
  folders?: Record<string, FolderState>;
  /** The pass under way, with the folders it finished and the UIDs landed in the current one. */
  pass?: 'full' | 'incremental';
  completed?: string[];
  position?: { folder: string; uidValidity: string; fetched: string };
}

export interface FolderSyncDeps {
  config: EmailConfig;
  client: ImapFlow;
  rateLimit(signal: AbortSignal): Promise<void>;
  findContacts(addresses: string[]): Promise<ContactMatch[]>;
}

export const messageId = (folder: string, uidValidity: string, uid: number) =>
  `${folder}/${uidValidity}/${uid}`;

export async function* syncFolders(deps: FolderSyncDeps, request: SyncRequest): AsyncGenerator<SyncBatch> {
  const { config, client } = deps;
  let state = request.state as EmailState;
  if (request.mode === 'full' && state.pass !== 'full') state = { ...state, pass: 'full', completed: [] };
  if (!state.pass) state = { ...state, pass: state.folders ? 'incremental' : 'full', completed: [] };
  const pass = state.pass ?? 'full';
  const folders = config.folders.filter((folder) => !state.completed?.includes(folder));
  if (folders.length === 0) {
    // The folder list changed while a pass was under way, and every folder left is finished.
    yield {
      records: [],
      state: { folders: state.folders ?? {} },
      pass,
      fullPassComplete: pass === 'full',
      final: true,
    };
    return;
  }

  for (const [index, folder] of folders.entries()) {
    const lastFolder = index === folders.length - 1;
    await deps.rateLimit(request.signal);
    let lock: Awaited<ReturnType<ImapFlow['getMailboxLock']>>;
    try {
      lock = await client.getMailboxLock(folder, { readOnly: true });
    } catch (error) {
      throw imapError(error, `opening folder "${folder}"`);
    }
    try {
      const mailbox = client.mailbox;
      if (!mailbox) throw imapError(new Error('no folder selected'), `opening folder "${folder}"`);
      const uidValidity = String(mailbox.uidValidity);
      const modseq = mailbox.highestModseq === undefined ? undefined : String(mailbox.highestModseq);
      await deps.rateLimit(request.signal);
      const current = new Set((await client.search({ all: true }, { uid: true })) || []);
      const previous = state.folders?.[folder];
      const tombstones: SourceRecord[] = [];
      let known = new Set<number>();
      const changed = new Set<number>();
      if (pass === 'incremental' && previous) {
        const previousUids = decodeUidSet(previous.uids);
        if (previous.uidValidity !== uidValidity) {
          for (const uid of previousUids)
            tombstones.push({
              externalId: messageId(folder, previous.uidValidity, uid),
              data: null,
              deleted: true,
            });
        } else {
          known = previousUids;
          for (const uid of previousUids) {
            if (!current.has(uid))
              tombstones.push({ externalId: messageId(folder, uidValidity, uid), data: null, deleted: true });
          }
          if (previous.modseq && modseq && previous.modseq !== modseq && known.size > 0) {
            await deps.rateLimit(request.signal);
            for await (const message of client.fetch(
              encodeUidSet([...known].filter((uid) => current.has(uid))) || '*',
              { uid: true, flags: true },
              { uid: true, changedSince: BigInt(previous.modseq) },
            )) {
              if (known.has(message.uid)) changed.add(message.uid);
            }
          }
        }
      }
      const resumed =
        state.position?.folder === folder && state.position.uidValidity === uidValidity
          ? decodeUidSet(state.position.fetched)
          : new Set<number>();
      const toFetch = [...current]
        .filter((uid) => (!known.has(uid) || changed.has(uid)) && !resumed.has(uid))
        .sort((a, b) => a - b);
      const fetched = new Set(resumed);
      const chunks: number[][] = [];
      for (let start = 0; start < toFetch.length; start += config.batchSize)
        chunks.push(toFetch.slice(start, start + config.batchSize));
      if (chunks.length === 0) chunks.push([]);

      for (const [chunkIndex, chunk] of chunks.entries()) {
        const records = await fetchMessages(deps, folder, uidValidity, chunk, request.signal);
        for (const uid of chunk) fetched.add(uid);
        const folderDone = chunkIndex === chunks.length - 1;
        const done = folderDone && lastFolder;
        if (folderDone) {
          state = {
            ...state,
            folders: {
              ...state.folders,
              [folder]: { uidValidity, uids: encodeUidSet(current), ...(modseq ? { modseq } : {}) },
            },
            completed: [...(state.completed ?? []), folder],
            position: undefined,
          };
        } else {
          state = { ...state, position: { folder, uidValidity, fetched: encodeUidSet(fetched) } };
        }
        const next: EmailState = done ? { folders: state.folders ?? {} } : state;
        yield {
          records: chunkIndex === 0 ? [...tombstones, ...records] : records,
          state: JSON.parse(JSON.stringify(next)),
          pass,
          fullPassComplete: done && pass === 'full',
          final: done,
        };
      }
    } catch (error) {
      throw imapError(error, `reading folder "${folder}"`);
    } finally {
      lock.release();
    }
  }
}

async function fetchMessages(
  deps: FolderSyncDeps,
  folder: string,
  uidValidity: string,
  uids: number[],
  signal: AbortSignal,
): Promise<SourceRecord[]> {
  if (uids.length === 0) return [];
  await deps.rateLimit(signal);
  const messages: FetchedMessage[] = [];
  for await (const message of deps.client.fetch(
    encodeUidSet(uids),
    { uid: true, flags: true, size: true, source: { maxLength: deps.config.maxMessageBytes } },
    { uid: true },
  )) {
    messages.push({ uid: message.uid, flags: message.flags, size: message.size, source: message.source });
  }
  const parsed = await Promise.all(
    messages.map((message) => parseMessage(folder, message, deps.config.maxBodyChars)),
  );
  await matchContacts(parsed, deps.findContacts);
  return parsed.map((record) => ({ externalId: messageId(folder, uidValidity, record.uid), data: record }));
}
