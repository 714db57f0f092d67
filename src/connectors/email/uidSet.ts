// Sets of IMAP UIDs kept in a checkpoint as IMAP sequence sets ("1:480,482:900"): a mailbox's UIDs
// are mostly consecutive, so even a large folder stays a short string.

export function encodeUidSet(uids: Iterable<number>): string {
  const sorted = [...new Set(uids)].sort((a, b) => a - b);
  const ranges: string[] = [];
  let start = sorted[0];
  let end = start;
  for (let index = 1; index <= sorted.length; index++) {
    const uid = sorted[index];
    if (uid !== undefined && end !== undefined && uid === end + 1) {
      end = uid;
      continue;
    }
    if (start !== undefined) ranges.push(start === end ? `${start}` : `${start}:${end}`);
    start = uid;
    end = uid;
  }
  return ranges.join(',');
}

export function decodeUidSet(encoded: string | undefined): Set<number> {
  const uids = new Set<number>();
  if (!encoded) return uids;
  for (const part of encoded.split(',')) {
    const [from, to] = part.split(':').map(Number);
    if (from === undefined || !Number.isInteger(from)) continue;
    for (let uid = from; uid <= (to ?? from); uid++) uids.add(uid);
  }
  return uids;
}
