// The journal: what one step changed. Every PTE write (set_pte_at), every folio whose counters,
// flags or data changed, every swap slot touched, and every address whose expected content the
// oracle changed. The invariant checkers judge only what the journal names (a full re-check mode
// judges everything), and `explain` prints it. Arrays are reused from step to step: recording
// allocates nothing once they have grown.

import type { Pmd, Pte } from './pte.js';

export class Journal {
  /** increases every step; a folio whose stamp equals it is already recorded */
  epoch = 1;

  /** PTE writes in order: mm, address, old and new value */
  nPte = 0;
  readonly pteMm: number[] = [];
  readonly pteAddr: number[] = [];
  readonly pteOld: Pte[] = [];
  readonly pteNew: Pte[] = [];

  /** PMD writes in order: mm, the PMD's first address, old and new value */
  nPmd = 0;
  readonly pmdMm: number[] = [];
  readonly pmdAddr: number[] = [];
  readonly pmdOld: Pmd[] = [];
  readonly pmdNew: Pmd[] = [];

  /** folios whose refcount, mapcount, pincount, flags or PG_anon_exclusive changed (or that were freed) */
  nFolio = 0;
  readonly folios: number[] = [];

  /** folios whose page data (or pages) changed: the data oracle reads them again wherever they are mapped */
  nData = 0;
  readonly dataFolios: number[] = [];

  /** page-cache folios written back to disk this step (pin-writeback judges them) */
  nWriteback = 0;
  readonly writtenBack: number[] = [];

  /** swap slots whose swap_map count, SWAP_HAS_CACHE or swap cache entry changed, as swp_entry_t values */
  nSlot = 0;
  readonly slots: number[] = [];

  /** address ranges whose VMA flags changed (userfaultfd registration, fork's dup_userfaultfd(), clear_refs): judged again */
  nRange = 0;
  readonly rangeMm: number[] = [];
  readonly rangeStart: number[] = [];
  readonly rangeEnd: number[] = [];

  /**
   * file pages whose content, i_size or expected content changed (the page cache, shmem's swap
   * entries, the disk, the oracle's file values), as inode and [start, end): they are judged
   * again, and so is every address that views one of them
   */
  nFile = 0;
  readonly fileIno: number[] = [];
  readonly fileStart: number[] = [];
  readonly fileEnd: number[] = [];

  /** PTEs a userfaultfd ioctl installed (UFFDIO_COPY, ZEROPAGE, CONTINUE, MOVE) or fork copied into the child, as mm and address */
  nFill = 0;
  readonly fillMm: number[] = [];
  readonly fillAddr: number[] = [];

  /** addresses handle_mm_fault() was called for, as mm and address */
  nFault = 0;
  readonly faultMm: number[] = [];
  readonly faultAddr: number[] = [];

  /** addresses whose expected content changed (the oracle's writes), as mm and address */
  nAddr = 0;
  readonly addrMm: number[] = [];
  readonly addrAddr: number[] = [];

  /** Starts a new step: forget what the last one changed. */
  begin(): void {
    this.epoch++;
    this.nPte = 0;
    this.nPmd = 0;
    this.nFolio = 0;
    this.nData = 0;
    this.nWriteback = 0;
    this.nSlot = 0;
    this.nAddr = 0;
    this.nOther = 0;
    this.nRange = 0;
    this.nFile = 0;
    this.nFill = 0;
    this.nFault = 0;
  }

  /** Did the step change nothing at all? */
  empty(): boolean {
    return this.nPte === 0 && this.nPmd === 0 && this.nFolio === 0 && this.nData === 0 && this.nSlot === 0 && this.nAddr === 0 && this.nOther === 0 && this.nWriteback === 0 && this.nRange === 0 && this.nFile === 0;
  }

  /** Something the sets above do not name changed (a reference taken or released, a VMA, a process). */
  nOther = 0;

  other(): void {
    this.nOther++;
  }

  pte(mm: number, addr: number, old: Pte, now: Pte): void {
    const n = this.nPte++;
    this.pteMm[n] = mm;
    this.pteAddr[n] = addr;
    this.pteOld[n] = old;
    this.pteNew[n] = now;
  }

  pmd(mm: number, addr: number, old: Pmd, now: Pmd): void {
    const n = this.nPmd++;
    this.pmdMm[n] = mm;
    this.pmdAddr[n] = addr;
    this.pmdOld[n] = old;
    this.pmdNew[n] = now;
  }

  folio(id: number): void {
    this.folios[this.nFolio++] = id;
  }

  writeback(id: number): void {
    this.writtenBack[this.nWriteback++] = id;
  }

  data(id: number): void {
    this.dataFolios[this.nData++] = id;
  }

  slot(val: number): void {
    for (let i = 0; i < this.nSlot; i++) if (this.slots[i] === val) return;
    this.slots[this.nSlot++] = val;
  }

  range(mm: number, start: number, end: number): void {
    const n = this.nRange++;
    this.rangeMm[n] = mm;
    this.rangeStart[n] = start;
    this.rangeEnd[n] = end;
  }

  file(ino: number, start: number, end: number): void {
    if (start >= end) return;
    const n = this.nFile++;
    this.fileIno[n] = ino;
    this.fileStart[n] = start;
    this.fileEnd[n] = end;
  }

  fill(mm: number, addr: number): void {
    const n = this.nFill++;
    this.fillMm[n] = mm;
    this.fillAddr[n] = addr;
  }

  fault(mm: number, addr: number): void {
    const n = this.nFault++;
    this.faultMm[n] = mm;
    this.faultAddr[n] = addr;
  }

  addr(mm: number, addr: number): void {
    const n = this.nAddr++;
    this.addrMm[n] = mm;
    this.addrAddr[n] = addr;
  }
}
