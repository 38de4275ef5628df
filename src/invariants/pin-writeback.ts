// pin-writeback: a page the filesystem wrote back (folio_clear_dirty_for_io() -> folio_mkclean()
// -> writepage) while a long-term R/W pin held it. The device keeps writing into a page the
// filesystem believes clean and write-protected: data written without page_mkwrite, checksums and
// journalling bypassed. 6.5+ refuses such pins (writable_file_mapping_allowed()).

import { FOLL_LONGTERM, FOLL_PIN, FOLL_WRITE } from '../model/constants.js';
import type { World } from '../world/world.js';
import type { Violation } from './types.js';

const LONGTERM_RW = FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE;

export function checkPinWriteback(w: World): Violation | null {
  const j = w.journal;
  for (let i = 0; i < j.nWriteback; i++) {
    const id = j.writtenBack[i]!;
    for (const r of w.k.refs) {
      if (r === null || (r.gupFlags & LONGTERM_RW) !== LONGTERM_RW || !r.folios.includes(id)) continue;
      const f = w.k.folios[id];
      const what = f && f.mapping >= 0 ? `page ${f.index} of ${w.fileWords(f.mapping)}` : w.words.folio(id);
      return { invariant: 'pin-writeback', message: `${what} was written back while ${w.words.ref(r.id)} holds a long-term R/W pin on it`, folios: [id] };
    }
  }
  return null;
}
