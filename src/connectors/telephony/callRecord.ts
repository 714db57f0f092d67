// A call as the hub keeps it, built from a phone system's events (ringing, answered, ended). The
// events of one call may arrive out of order or twice, so merging is order-tolerant: an ended
// call stays ended, times are only filled in, and the talk time follows from the two times.
import { toE164 } from '../../mapping/index.ts';
import type { PhoneContactMatch } from '../sdk/connectorDefinition.ts';

export type CallStatus =
  | 'ringing'
  | 'answered'
  | 'completed'
  | 'missed'
  | 'busy'
  | 'voicemail'
  | 'blocked'
  | 'failed';

export interface CallRecord {
  callId: string;
  provider: string;
  direction: 'in' | 'out';
  from: string | null;
  to: string | null;
  status: CallStatus;
  startedAt: string | null;
  answeredAt: string | null;
  endedAt: string | null;
  durationSeconds: number | null;
  /** Who took the call at the hub's side (extension, user), where the system says. */
  answeredBy: string | null;
  /** CRM customers and contacts whose phone is the other party's number. */
  contacts: Omit<PhoneContactMatch, 'phone'>[];
}

export interface CallEvent {
  callId: string;
  kind: 'ringing' | 'answered' | 'ended';
  at: Date;
  direction?: 'in' | 'out' | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** How the call ended, for `ended`. */
  outcome?: Exclude<CallStatus, 'ringing' | 'answered'> | undefined;
  by?: string | undefined;
  /** Talk time, where the system reports it with the end of the call. */
  durationSeconds?: number | undefined;
}

const finished = new Set<CallStatus>(['completed', 'missed', 'busy', 'voicemail', 'blocked', 'failed']);

export function applyCallEvent(provider: string, current: CallRecord | null, event: CallEvent): CallRecord {
  const call: CallRecord = current
    ? { ...current }
    : {
        callId: event.callId,
        provider,
        direction: event.direction ?? 'in',
        from: null,
        to: null,
        status: 'ringing',
        startedAt: null,
        answeredAt: null,
        endedAt: null,
        durationSeconds: null,
        answeredBy: null,
        contacts: [],
      };
  const at = event.at.toISOString();
  if (event.direction) call.direction = event.direction;
  call.from ??= phoneNumber(event.from);
  call.to ??= phoneNumber(event.to);
  if (event.kind === 'ringing') call.startedAt = earliest(call.startedAt, at);
  if (event.kind === 'answered') {
    call.answeredAt ??= at;
    call.answeredBy ??= event.by ?? null;
    if (!finished.has(call.status)) call.status = 'answered';
  }
  if (event.kind === 'ended') {
    call.endedAt ??= at;
    call.answeredBy ??= event.by ?? null;
    call.status = event.outcome ?? (call.answeredAt ? 'completed' : 'missed');
  }
  call.startedAt ??= call.answeredAt ?? call.endedAt;
  if (event.durationSeconds !== undefined) call.durationSeconds = event.durationSeconds;
  else if (call.durationSeconds === null) call.durationSeconds = talkTime(call);
  return call;
}

/** The number of the party outside: the caller of an incoming call, the callee of an outgoing one. */
export function otherParty(call: CallRecord): string | null {
  return call.direction === 'in' ? call.from : call.to;
}

/** E.164 where the number can be one; "anonymous" for suppressed numbers; null when absent. */
export function phoneNumber(raw: string | undefined): string | null {
  if (!raw) return null;
  const text = raw.trim();
  if (text === '') return null;
  if (/^(anonymous|unknown|restricted)$/i.test(text)) return 'anonymous';
  // sipgate sends international numbers without the plus: 4921100000000.
  const withPlus = /^[1-9]\d{8,14}$/.test(text) && !text.startsWith('0') ? `+${text}` : text;
  return toE164(withPlus) ?? text;
}

/** Seconds between answer and end, where both are known; 0 for a call that ended without answer. */
function talkTime(call: CallRecord): number | null {
  if (call.answeredAt && call.endedAt) {
    return Math.max(0, Math.round((Date.parse(call.endedAt) - Date.parse(call.answeredAt)) / 1000));
  }
  return call.endedAt ? 0 : null;
}

function earliest(current: string | null, at: string): string {
  return current && current < at ? current : at;
}
