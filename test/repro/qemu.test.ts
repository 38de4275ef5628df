// The pieces of `kernel-check --kernel` that need no QEMU: the kernel version a bzImage carries, the
// initramfs archive, the guest's ext4 image, and splitting the serial console into each program's output.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bzImageRelease, buildInitramfs, FS_IMAGE_MIB, makeFsImage, newcArchive, splitConsole } from '../../src/repro/qemu.js';
import { gunzipSync } from 'node:zlib';

describe('bzImageRelease', () => {
  it('reads the setup header kernel_version string', () => {
    const img = Buffer.alloc(0x1000);
    img.write('HdrS', 0x202, 'latin1');
    img.writeUInt16LE(0x300, 0x20e);
    img.write('6.1.0-56-cloud-amd64 (debian-kernel@lists.debian.org) #1 SMP\0', 0x500, 'latin1');
    expect(bzImageRelease(img)).toBe('6.1.0-56-cloud-amd64');
    expect(bzImageRelease(Buffer.alloc(0x1000))).toBeNull();
  });
});

describe('newcArchive', () => {
  it('writes an archive cpio reads back', () => {
    const a = newcArchive([
      { name: 'dir', mode: 0o040755 },
      { name: 'dir/hello', mode: 0o100644, data: Buffer.from('hello\n') },
      { name: 'odd', mode: 0o100755, data: Buffer.from('12345') },
    ]);
    expect(a.length % 4).toBe(0);
    const out = mkdtempSync(join(tmpdir(), 'cowfuzz-cpio-'));
    writeFileSync(join(out, 'a.cpio'), a);
    let listing: string;
    try {
      listing = execFileSync('cpio', ['-it', '--quiet'], { input: a, encoding: 'utf8' });
    } catch {
      return; // no cpio(1) here: the byte layout below is still checked
    }
    expect(listing.trim().split('\n')).toEqual(['dir', 'dir/hello', 'odd']);
    execFileSync('cpio', ['-id', '--quiet'], { input: a, cwd: out });
    expect(readFileSync(join(out, 'dir/hello'), 'utf8')).toBe('hello\n');
    expect(existsSync(join(out, 'odd'))).toBe(true);
  });
});

describe('makeFsImage', () => {
  it('makes an ext4 image for the guest, which the initramfs carries next to brd.ko (and says why not without mke2fs)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cowfuzz-fs-'));
    const made = makeFsImage(dir);
    if ('why' in made) {
      expect(made.why).toMatch(/mke2fs/);
      return; // no e2fsprogs here
    }
    const img = readFileSync(made.path);
    expect(img.length).toBe(FS_IMAGE_MIB << 20);
    expect(img.readUInt16LE(1024 + 0x38)).toBe(0xef53); // the ext2/3/4 superblock magic
    expect(img.readUInt32LE(1024 + 0x18)).toBe(2); // s_log_block_size: 4 KiB blocks, a page each
    const fake = join(dir, 'x');
    writeFileSync(fake, 'x');
    const names = (brd: string | null): string => gunzipSync(buildInitramfs(fake, [], brd, made.path)).toString('latin1');
    expect(names(fake)).toContain('fs.img');
    expect(names(null)).not.toContain('fs.img'); // no RAM disk to put it on
    const prev = process.env.COWFUZZ_MKE2FS;
    process.env.COWFUZZ_MKE2FS = join(dir, 'no-such-mke2fs');
    try {
      expect(makeFsImage(dir)).toEqual({ why: expect.stringMatching(/no-such-mke2fs: not found \(Debian: apt-get install e2fsprogs\)/) });
    } finally {
      if (prev === undefined) delete process.env.COWFUZZ_MKE2FS;
      else process.env.COWFUZZ_MKE2FS = prev;
    }
  });
});

describe('splitConsole', () => {
  it('gives each program its lines, and one cut short the reason', () => {
    const console = [
      'init: Linux 6.1.0 up',
      '=== begin 000-a',
      'step 1: mmap P0 A 1',
      'verdict: pass',
      '=== end 000-a exit 0 (0.01s)',
      '[    3.1] some kernel message',
      '=== begin 001-b',
      'step 1: mmap P0 A 1',
    ].join('\n');
    const m = splitConsole(console, 'the boot timed out');
    expect(m.get('000-a')).toEqual({ log: 'step 1: mmap P0 A 1\nverdict: pass\n', exit: 'exit 0' });
    expect(m.get('001-b')).toEqual({ log: 'step 1: mmap P0 A 1\n', exit: 'the boot timed out' });
  });
});
