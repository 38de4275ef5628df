// What a step changed: two snapshots (src/report/snapshot.ts) compared, one line per PTE, folio,
// swap slot, reference or process that differs, in the kernel's words. Only what the era has is
// compared (the snapshot leaves the rest null).

import { folioName, slotName, type SnapFolio, type SnapProc, type SnapRef, type SnapSlot, type Snapshot } from './snapshot.js';

export type ChangeKind = 'process' | 'pte' | 'folio' | 'swap' | 'ref' | 'hugetlb';

export interface Change {
  readonly kind: ChangeKind;
  readonly text: string;
}

/** A value as a diff prints it: "value #3", "zero". */
export function shortValue(v: number): string {
  return v === 0 ? 'zero' : `value #${v}`;
}

function vmasText(p: SnapProc): string {
  if (p.vmas.length === 0) return 'no VMA';
  return p.vmas.map((v) => `${v.addr} ${v.pages} page${v.pages === 1 ? '' : 's'} ${v.prot}${v.hugetlb ? ` (${v.hugetlb})` : ''}`).join(', ');
}

/** A folio's fields by name, in the order a line prints them; the era decides which exist. */
export function folioFields(f: SnapFolio): [string, string][] {
  const out: [string, string][] = [['refcount', String(f.refcount)]];
  if (f.pincount !== 0) out.push(['_pincount', String(f.pincount)]);
  const many = f.pages.length > 1;
  f.pages.forEach((p, i) => {
    const pre = many ? `page ${i} ` : '';
    out.push([`${pre}mapcount`, String(p.mapcount)]);
    if (p.exclusive !== null && f.anon) out.push([`${pre}PageAnonExclusive`, p.exclusive ? 'yes' : 'no']);
    if (!f.zero) out.push([`${pre}content`, shortValue(p.data)]);
  });
  out.push(['swap cache', f.swap >= 0 ? slotName(f.swap) : 'no']);
  return out;
}

function fieldsText(fields: readonly [string, string][]): string {
  return fields.filter(([k, v]) => !(k === 'swap cache' && v === 'no')).map(([k, v]) => `${k} ${v}`).join(', ');
}

function slotFields(s: SnapSlot): [string, string][] {
  return [
    ['swap count', String(s.count)],
    ['SWAP_HAS_CACHE', s.hasCache ? 'yes' : 'no'],
    ['swap cache', s.cacheFolio >= 0 ? folioName(s.cacheFolio) : 'none'],
    ['holds', shortValue(s.data)],
  ];
}

function refText(r: SnapRef): string {
  const pages = r.pages.map((p) => `${folioName(p.folio)}${p.page ? '+' + p.page : ''}`).join(', ');
  return `${r.flags} on ${pages}, taken at ${r.takenAt}, held by ${r.holders.join(', ') || 'nobody'}`;
}

function changedFields(a: readonly [string, string][], b: readonly [string, string][]): string[] {
  const before = new Map(a);
  const after = new Map(b);
  const out: string[] = [];
  for (const [k, v] of b) {
    const old = before.get(k);
    if (old === undefined) out.push(`${k} ${v}`);
    else if (old !== v) out.push(`${k} ${old} -> ${v}`);
  }
  for (const [k, v] of a) if (!after.has(k)) out.push(`${k} ${v} -> gone`);
  return out;
}

/** Every difference between the state before and after a step. */
export function diffSnapshots(a: Snapshot, b: Snapshot): Change[] {
  const out: Change[] = [];

  const ha = a.hugetlb;
  const hb = b.hugetlb;
  if (ha.nr !== hb.nr || ha.free !== hb.free || ha.resv !== hb.resv) {
    const pool = (h: typeof ha): string => `${h.nr} huge pages, ${h.free} free, ${h.resv} reserved`;
    out.push({ kind: 'hugetlb', text: `pool: ${pool(ha)} -> ${pool(hb)}` });
  }

  const procsA = new Map(a.procs.map((p) => [p.name, p]));
  for (const p of b.procs) {
    const old = procsA.get(p.name);
    if (!old) {
      out.push({ kind: 'process', text: `${p.name}: created (${vmasText(p)})` });
      continue;
    }
    if (old.alive && !p.alive) {
      out.push({ kind: 'process', text: `${p.name}: exited` });
      continue;
    }
    if (vmasText(old) !== vmasText(p)) out.push({ kind: 'process', text: `${p.name}: VMAs ${vmasText(old)} -> ${vmasText(p)}` });
    if (old.hasPinned !== p.hasPinned && p.hasPinned) out.push({ kind: 'process', text: `${p.name}: MMF_HAS_PINNED set` });
  }

  for (const p of b.procs) {
    const old = procsA.get(p.name);
    const before = new Map((old?.ptes ?? []).map((t) => [t.vpn, t]));
    const seen = new Set<number>();
    for (const t of p.ptes) {
      seen.add(t.vpn);
      const was = before.get(t.vpn);
      if (!was) out.push({ kind: 'pte', text: `${p.name} ${t.addr}: none -> ${t.text}` });
      else if (was.text !== t.text) out.push({ kind: 'pte', text: `${p.name} ${t.addr}: ${was.text} -> ${t.text}` });
    }
    for (const t of old?.ptes ?? []) if (!seen.has(t.vpn)) out.push({ kind: 'pte', text: `${p.name} ${t.addr}: ${t.text} -> none` });
  }

  const foliosA = new Map(a.folios.map((f) => [f.id, f]));
  const foliosB = new Set(b.folios.map((f) => f.id));
  for (const f of b.folios) {
    const old = foliosA.get(f.id);
    if (!old) {
      if (!f.zero) out.push({ kind: 'folio', text: `${f.name}: allocated: ${fieldsText(folioFields(f))}` });
      continue;
    }
    const ch = changedFields(folioFields(old), folioFields(f));
    if (ch.length) out.push({ kind: 'folio', text: `${f.name}: ${ch.join(', ')}` });
  }
  for (const f of a.folios) if (!foliosB.has(f.id) && !f.zero) out.push({ kind: 'folio', text: `${f.name}: freed` });

  const slotsA = new Map(a.slots.map((s) => [s.key, s]));
  const slotsB = new Set(b.slots.map((s) => s.key));
  for (const s of b.slots) {
    const old = slotsA.get(s.key);
    if (!old) {
      out.push({ kind: 'swap', text: `${s.name}: allocated: ${slotFields(s).map(([k, v]) => `${k} ${v}`).join(', ')}` });
      continue;
    }
    const ch = changedFields(slotFields(old), slotFields(s));
    if (ch.length) out.push({ kind: 'swap', text: `${s.name}: ${ch.join(', ')}` });
  }
  for (const s of a.slots) if (!slotsB.has(s.key)) out.push({ kind: 'swap', text: `${s.name}: free again` });

  const refsA = new Map(a.refs.map((r) => [r.id, r]));
  const refsB = new Set(b.refs.map((r) => r.id));
  for (const r of b.refs) {
    const old = refsA.get(r.id);
    if (!old) out.push({ kind: 'ref', text: `${r.name}: taken: ${refText(r)}` });
    else if (refText(old) !== refText(r)) out.push({ kind: 'ref', text: `${r.name}: ${refText(old)} -> ${refText(r)}` });
  }
  for (const r of a.refs) if (!refsB.has(r.id)) out.push({ kind: 'ref', text: `${r.name}: released` });
  return out;
}

/** The whole state, one line per thing, era-aware: what `explain` prints after the last step. */
export function stateLines(s: Snapshot): string[] {
  const out: string[] = [];
  for (const p of s.procs) {
    const pinned = p.hasPinned ? ' (MMF_HAS_PINNED)' : '';
    if (!p.alive) {
      out.push(`${p.name}: exited`);
      continue;
    }
    out.push(`${p.name}${pinned}: ${vmasText(p)}`);
    for (const t of p.ptes) out.push(`  ${p.name} ${t.addr}: ${t.text}`);
  }
  for (const f of s.folios) out.push(f.text);
  for (const sl of s.slots) out.push(`${sl.name}: ${slotFields(sl).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  for (const r of s.refs) out.push(`${r.name}: ${refText(r)}`);
  return out;
}
