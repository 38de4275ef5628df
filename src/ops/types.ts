// The operation vocabulary: what a user process (or a driver holding a GUP reference) does.
// Scenarios, the fuzzer, the property suites and the exhaustive explorer all speak it.

export type Op =
  | { readonly kind: 'mmap'; readonly mm: string; readonly vma: string; readonly pages: number; readonly write: boolean }
  | { readonly kind: 'munmap'; readonly mm: string; readonly vma: string }
  | { readonly kind: 'mprotect'; readonly mm: string; readonly vma: string; readonly write: boolean }
  | { readonly kind: 'dontneed'; readonly mm: string; readonly vma: string; readonly page: number }
  | { readonly kind: 'fork'; readonly mm: string; readonly child: string }
  | { readonly kind: 'exit'; readonly mm: string }
  | { readonly kind: 'read'; readonly mm: string; readonly vma: string; readonly page: number }
  | { readonly kind: 'write'; readonly mm: string; readonly vma: string; readonly page: number }
  | { readonly kind: 'gup'; readonly mm: string; readonly vma: string; readonly page: number; readonly flags: number; readonly ref: string }
  | { readonly kind: 'release'; readonly ref: string; readonly how: 'put' | 'unpin' }
  | { readonly kind: 'ref_read'; readonly ref: string }
  | { readonly kind: 'ref_write'; readonly ref: string }
  | { readonly kind: 'reclaim'; readonly mm: string; readonly vma: string; readonly page: number }
  | { readonly kind: 'clear_refs'; readonly mm: string };

export type OpKind = Op['kind'];

export const OP_KINDS: readonly OpKind[] = [
  'mmap',
  'munmap',
  'mprotect',
  'dontneed',
  'fork',
  'exit',
  'read',
  'write',
  'gup',
  'release',
  'ref_read',
  'ref_write',
  'reclaim',
  'clear_refs',
];
