// Files and memfds, and what a process does to them without a mapping:
//   file NAME PAGES [ro]      a regular file on a disk filesystem (page cache, written back), opened read-only with `ro`
//   memfd NAME PAGES          memfd_create(): shmem (tmpfs), sealable
//   pwrite NAME PAGE          write(2) of a fresh value into page PAGE
//   pread NAME PAGE           read(2) of page PAGE
//   punch NAME PAGE           fallocate(FALLOC_FL_PUNCH_HOLE) of page PAGE
//   ftruncate NAME PAGES      ftruncate(2)
//   fsync NAME                fsync(2): dirty pages written back now
//   seal NAME write|future-write   fcntl(F_ADD_SEALS, F_SEAL_WRITE / F_SEAL_FUTURE_WRITE)

import { ZERO_VALUE } from '../../model/constants.js';
import { newInode } from '../../model/filemap.js';
import { fileRead, filePwrite } from '../../model/fops.js';
import { memfdAddSeal, type Seal } from '../../model/memfd.js';
import { fsyncInode } from '../../model/page-writeback.js';
import type { Inode } from '../../model/types.js';
import { punchHole, truncateInode } from '../../model/truncate.js';
import { hugetlbPunchHole, hugetlbTruncate } from '../../model/hugetlb.js';
import { newObjValue, objKey, shadowDropCows, shadowFileWrite, shadowFileZero } from '../../oracle/shadow.js';
import type { World } from '../../world/world.js';
import { refused } from '../common.js';
import { objName } from '../names.js';
import { arity, countArg, keyword, objArg } from '../syntax.js';
import { OK, type Choose, type OpSpec, type Outcome, type Scope } from '../types.js';
import { objsCreated } from './mmap.js';

export interface CreateOp {
  readonly kind: 'file' | 'memfd';
  readonly obj: number;
  readonly pages: number;
  readonly ro: boolean;
  /** memfd only: MFD_HUGETLB (a hugetlbfs file: huge pages from the pool) */
  readonly hugetlb: boolean;
}

export interface FileIoOp {
  readonly kind: 'pwrite' | 'pread' | 'punch';
  readonly obj: number;
  readonly page: number;
}

export interface TruncateOp {
  readonly kind: 'ftruncate';
  readonly obj: number;
  readonly pages: number;
}

export interface FsyncOp {
  readonly kind: 'fsync';
  readonly obj: number;
}

export interface SealOp {
  readonly kind: 'seal';
  readonly obj: number;
  readonly seal: Seal;
}

function inodeOfObj(w: World, obj: number): Inode {
  return w.k.inodes[w.objIno[obj]!]!;
}

function checkObj(w: World, obj: number): string | null {
  return (w.objIno[obj] ?? -1) < 0 ? 'no such file (create it with file or memfd first)' : null;
}


function pickObj(w: World, c: Choose): number {
  return c.pick(objsCreated(w));
}

const hasObj = (w: World): boolean => objsCreated(w) > 0;
const filesInScope = (scope: Scope): boolean => scope.maxObjs > 0;


function create(kind: 'file' | 'memfd'): OpSpec<CreateOp> {
  const syntax = kind === 'file' ? ['file NAME PAGES [ro]'] : ['memfd NAME PAGES [hugetlb]'];
  return {
    kind,
    verbs: [kind],
    syntax,
    weight: 1,
    names: { objs: ['obj'] },
    parse(toks, ctx) {
      arity(toks, syntax, 2, 3);
      const ro = kind === 'file' && toks[3] ? keyword(toks[3], ['ro'] as const, 'an open mode', toks[3].col) === 'ro' : false;
      const hugetlb = kind === 'memfd' && toks[3] ? keyword(toks[3], ['hugetlb'] as const, "'hugetlb' or nothing", toks[3].col) === 'hugetlb' : false;
      return { kind, obj: objArg(ctx, toks[1]!), pages: countArg(toks[2]!, 0, 4096, 'a page count'), ro, hugetlb };
    },
    print: (op, n) => `${kind} ${objName(n, op.obj)} ${op.pages}${op.ro ? ' ro' : ''}${op.hugetlb ? ' hugetlb' : ''}`,
    check: (w, op) => ((w.objIno[op.obj] ?? -1) >= 0 ? 'a file by that name exists' : null),
    apply(w, op) {
      // memfd_create(MFD_HUGETLB) + ftruncate(): hugetlbfs_setattr() refuses a size off a huge page boundary
      if (op.hugetlb && op.pages % w.k.pmdPages !== 0) return refused('EINVAL', 'ftruncate() of a hugetlbfs file to a size that is not whole huge pages');
      const ino = newInode(w.k, kind === 'file' ? 'file' : op.hugetlb ? 'hugetlbfs' : 'shmem', op.pages, op.ro);
      while (w.objIno.length <= op.obj) w.objIno.push(-1);
      w.objIno[op.obj] = ino.id;
      w.journal.other();
      return OK;
    },
    inScope: filesInScope,
    possible: (w, scope) => objsCreated(w) < scope.maxObjs,
    build(w, scope, c) {
      // in the hugetlb scope a memfd is often MFD_HUGETLB, of one or two huge pages
      if (kind === 'memfd' && scope.hugetlb === true && c.chance(0.5)) return { kind, obj: objsCreated(w), pages: w.k.pmdPages * (1 + c.pick(2)), ro: false, hugetlb: true };
      return { kind, obj: objsCreated(w), pages: scope.mmapPages[c.pick(scope.mmapPages.length)]!, ro: kind === 'file' && c.chance(0.2), hugetlb: false };
    },
    simplify(op) {
      const out: CreateOp[] = [];
      if (op.pages > 1 && !op.hugetlb) out.push({ ...op, pages: 1 });
      if (op.ro) out.push({ ...op, ro: false });
      if (op.hugetlb) out.push({ ...op, hugetlb: false });
      return out;
    },
  };
}

export const fileOp = create('file');
export const memfdOp = create('memfd');

/** `keepsCensus`: a hole punched takes the promise from the references to that page (shadowFileZero()); a write or read keeps it. */
function fileIo(kind: 'pwrite' | 'pread' | 'punch', weight: number, apply: (w: World, ino: Inode, page: number) => Outcome): OpSpec<FileIoOp> {
  const syntax = [`${kind} NAME PAGE`];
  return {
    kind,
    keepsCensus: kind !== 'punch',
    verbs: [kind],
    syntax,
    weight,
    names: { objs: ['obj'] },
    parse(toks, ctx) {
      arity(toks, syntax, 2);
      return { kind, obj: objArg(ctx, toks[1]!), page: countArg(toks[2]!, 0, 4095, 'a page') };
    },
    print: (op, n) => `${kind} ${objName(n, op.obj)} ${op.page}`,
    check: (w, op) => checkObj(w, op.obj),
    apply: (w, op) => apply(w, inodeOfObj(w, op.obj), op.page),
    inScope: filesInScope,
    possible: hasObj,
    build(w, _scope: Scope, c) {
      const obj = pickObj(w, c);
      return { kind, obj, page: c.pick(Math.max(1, inodeOfObj(w, obj).size)) };
    },
    simplify: (op) => (op.page > 0 ? [{ ...op, page: 0 }] : []),
  };
}

export const pwriteOp = fileIo('pwrite', 2, (w, ino, page) => {
  const key = objKey(ino.id, page);
  const v = newObjValue(w.shadow, key);
  const err = filePwrite(w.k, ino, page, v);
  if (err) return refused(err, err === 'EPERM' ? 'the memfd is write-sealed' : err === 'EINVAL' ? 'hugetlbfs has no write(2)' : 'the file is open read-only');
  shadowFileWrite(w.shadow, key, v);
  return { kind: 'ok', value: v };
});

export const preadOp = fileIo('pread', 1, (w, ino, page) => {
  const v = fileRead(w.k, ino, page);
  return v === null ? { kind: 'ok', note: 'end of file' } : { kind: 'ok', value: v };
});

export const punchOp = fileIo('punch', 1, (w, ino, page) => {
  if (ino.readOnly) return refused('EBADF', 'the file is open read-only');
  if (ino.seals & 0x18) return refused('EPERM', 'the memfd is write-sealed');
  if (page >= ino.size) return OK;
  if (ino.kind === 'hugetlbfs') {
    // hugetlbfs_zero_partial_page() zeroes the page in place: a write of zeros to the file (the page, and
    // every reference to it, stays the page cache's), not a page that left the file
    if (hugetlbPunchHole(w.k, ino, page)) shadowFileWrite(w.shadow, objKey(ino.id, page), ZERO_VALUE);
    return OK;
  }
  punchHole(w.k, ino, page);
  shadowFileZero(w.shadow, objKey(ino.id, page));
  return OK;
});

export const ftruncateOp: OpSpec<TruncateOp> = {
  kind: 'ftruncate',
  verbs: ['ftruncate'],
  syntax: ['ftruncate NAME PAGES'],
  weight: 1,
  names: { objs: ['obj'] },
  parse(toks, ctx) {
    arity(toks, this.syntax, 2);
    return { kind: 'ftruncate', obj: objArg(ctx, toks[1]!), pages: countArg(toks[2]!, 0, 4096, 'a page count') };
  },
  print: (op, n) => `ftruncate ${objName(n, op.obj)} ${op.pages}`,
  check: (w, op) => checkObj(w, op.obj),
  apply(w, op) {
    const ino = inodeOfObj(w, op.obj);
    if (ino.readOnly) return refused('EINVAL', 'the file is open read-only');
    const old = ino.size;
    if (ino.kind === 'hugetlbfs') {
      if (hugetlbTruncate(w.k, ino, op.pages) !== null) return refused('EINVAL', 'a hugetlbfs file is truncated to whole huge pages only');
    } else truncateInode(w.k, ino, op.pages);
    for (let index = op.pages; index < old; index++) {
      const key = objKey(ino.id, index);
      shadowDropCows(w.shadow, key);
      shadowFileZero(w.shadow, key);
    }
    w.journal.other();
    return OK;
  },
  inScope: filesInScope,
  possible: hasObj,
  build(w, scope, c) {
    const obj = pickObj(w, c);
    if (inodeOfObj(w, obj).kind === 'hugetlbfs') return { kind: 'ftruncate', obj, pages: w.k.pmdPages * c.pick(3) };
    return { kind: 'ftruncate', obj, pages: c.pick(Math.max(...scope.mmapPages) + 1) };
  },
  simplify: () => [],
};

export const fsyncOp: OpSpec<FsyncOp> = {
  kind: 'fsync',
  keepsCensus: true,
  verbs: ['fsync'],
  syntax: ['fsync NAME'],
  weight: 1,
  names: { objs: ['obj'] },
  parse(toks, ctx) {
    arity(toks, this.syntax, 1);
    return { kind: 'fsync', obj: objArg(ctx, toks[1]!) };
  },
  print: (op, n) => `fsync ${objName(n, op.obj)}`,
  check: (w, op) => checkObj(w, op.obj),
  apply(w, op) {
    fsyncInode(w.k, inodeOfObj(w, op.obj));
    return OK;
  },
  inScope: filesInScope,
  possible: hasObj,
  build: (w, _scope, c) => ({ kind: 'fsync', obj: pickObj(w, c) }),
  simplify: () => [],
};

export const sealOp: OpSpec<SealOp> = {
  kind: 'seal',
  keepsCensus: true,
  verbs: ['seal'],
  syntax: ['seal NAME write|future-write'],
  weight: 1,
  names: { objs: ['obj'] },
  parse(toks, ctx) {
    arity(toks, this.syntax, 2);
    return { kind: 'seal', obj: objArg(ctx, toks[1]!), seal: keyword(toks[2], ['write', 'future-write'] as const, 'a seal', toks[2]!.col) };
  },
  print: (op, n) => `seal ${objName(n, op.obj)} ${op.seal}`,
  check: (w, op) => checkObj(w, op.obj),
  apply(w, op) {
    const err = memfdAddSeal(w.k, inodeOfObj(w, op.obj), op.seal);
    if (err) return refused(err, err === 'EBUSY' ? 'a writable shared mapping or a pinned page exists' : 'not a sealable memfd');
    w.journal.other();
    return OK;
  },
  inScope: filesInScope,
  possible: hasObj,
  build: (w, _scope, c) => ({ kind: 'seal', obj: pickObj(w, c), seal: c.chance(0.5) ? 'write' : 'future-write' }),
  simplify: (op) => (op.seal === 'future-write' ? [{ ...op, seal: 'write' }] : []),
};
