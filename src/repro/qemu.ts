// Another kernel under QEMU: the reproducers built static go into an initramfs with a small PID 1
// (init.c) that runs them one after the other on the serial console and powers off. No disk image,
// no busybox: the initramfs is written here (cpio "newc", gzip). Swap is the kernel package's own
// brd.ko (a RAM disk), when the image comes with its modules; a second RAM disk gets an ext4
// image made here with mke2fs (fs.img in the initramfs), where `file` makes its files.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface KernelImage {
  readonly vmlinuz: string;
  /** `uname -r` of that kernel */
  readonly release: string;
  /** brd.ko (or .ko.xz / .ko.zst) of the same build, if found */
  readonly brd: string | null;
  /** a folder unpacked here (from a .deb), removed by dispose() */
  readonly unpacked: string | null;
}

export function disposeKernel(k: KernelImage): void {
  if (k.unpacked) rmSync(k.unpacked, { recursive: true, force: true });
}

/**
 * The release string a bzImage carries: the setup header's kernel_version field (offset 0x20e) points
 * to "6.1.0-56-cloud-amd64 (debian-kernel@lists.debian.org) #1 SMP ...". Null if not a bzImage.
 */
export function bzImageRelease(image: Buffer): string | null {
  if (image.length < 0x210 || image.toString('latin1', 0x202, 0x206) !== 'HdrS') return null;
  const off = image.readUInt16LE(0x20e) + 0x200;
  if (off >= image.length) return null;
  const end = image.indexOf(0, off);
  const text = image.toString('latin1', off, end < 0 ? Math.min(image.length, off + 256) : end);
  const release = text.split(' ')[0] ?? '';
  return /^\d+\.\d+/.test(release) ? release : null;
}

function findBrd(modulesRoot: string, release: string): string | null {
  const dir = join(modulesRoot, release, 'kernel', 'drivers', 'block');
  for (const name of ['brd.ko', 'brd.ko.xz', 'brd.ko.zst']) if (existsSync(join(dir, name))) return join(dir, name);
  return null;
}

export class KernelImageError extends Error {}

/**
 * A kernel to boot, from: a Debian linux-image .deb (unpacked into a temporary folder), a folder
 * holding such a package unpacked (boot/vmlinuz-*, lib/modules/*), or a bzImage file (its modules
 * looked for in `modules`, else next to it as in an unpacked package).
 */
export function resolveKernel(image: string, modules?: string): KernelImage {
  let unpacked: string | null = null;
  let root: string | null = null;
  let vmlinuz = image;
  if (!existsSync(image)) throw new KernelImageError(`${image}: no such file or folder`);
  if (image.endsWith('.deb')) {
    unpacked = mkdtempSync(join(tmpdir(), 'cowfuzz-kernel-'));
    try {
      execFileSync('dpkg-deb', ['-x', image, unpacked], { stdio: 'pipe' });
    } catch (e) {
      rmSync(unpacked, { recursive: true, force: true });
      throw new KernelImageError(`${image}: dpkg-deb -x failed: ${(e as Error).message.split('\n')[0]}`);
    }
    root = unpacked;
  } else if (statSync(image).isDirectory()) {
    root = image;
  }
  if (root !== null) {
    const boot = join(root, 'boot');
    const names = existsSync(boot) ? readdirSync(boot).filter((n) => n.startsWith('vmlinuz-')) : [];
    if (names.length !== 1) {
      if (unpacked) rmSync(unpacked, { recursive: true, force: true });
      throw new KernelImageError(`${image}: expected one boot/vmlinuz-* in it, found ${names.length}`);
    }
    vmlinuz = join(boot, names[0]!);
  }
  const release = bzImageRelease(readFileSync(vmlinuz)) ?? basename(vmlinuz).replace(/^vmlinuz-/, '');
  if (!/^\d+\.\d+/.test(release)) {
    if (unpacked) rmSync(unpacked, { recursive: true, force: true });
    throw new KernelImageError(`${vmlinuz}: not a bzImage (no kernel version in its header)`);
  }
  const modulesRoot = modules ?? join(root ?? join(dirname(vmlinuz), '..'), 'lib', 'modules');
  return { vmlinuz, release, brd: findBrd(modulesRoot, release), unpacked };
}

export interface ArchiveEntry {
  readonly name: string;
  /** st_mode: file type and permissions */
  readonly mode: number;
  readonly data?: Buffer;
  /** device numbers for a character device */
  readonly rdev?: readonly [number, number];
}

/** A cpio archive in the "newc" format the kernel unpacks into its initramfs. */
export function newcArchive(entries: readonly ArchiveEntry[]): Buffer {
  const parts: Buffer[] = [];
  const pad = (n: number): Buffer => Buffer.alloc((4 - (n % 4)) % 4);
  const hex = (n: number): string => n.toString(16).padStart(8, '0');
  const one = (e: ArchiveEntry, ino: number): void => {
    const data = e.data ?? Buffer.alloc(0);
    const name = Buffer.from(`${e.name}\0`);
    const fields = [ino, e.mode, 0, 0, 1, 0, data.length, 0, 0, e.rdev?.[0] ?? 0, e.rdev?.[1] ?? 0, name.length, 0];
    const header = Buffer.from(`070701${fields.map(hex).join('')}`);
    parts.push(header, name, pad(header.length + name.length), data, pad(data.length));
  };
  entries.forEach((e, i) => one(e, i + 1));
  one({ name: 'TRAILER!!!', mode: 0 }, 0);
  return Buffer.concat(parts);
}

const DIR = 0o040755;
const EXE = 0o100755;
const FILE = 0o100644;
const CHR = 0o020600;

export interface GuestProgram {
  /** a file name: letters, digits, '-', '_', '.' */
  readonly name: string;
  readonly bin: string;
}

/** Bytes of the ext4 image for the guest's disk filesystem (16 MiB, 4 KiB blocks). */
export const FS_IMAGE_MIB = 16;

/**
 * Makes the ext4 image the guest mounts for `file` (a regular file on a disk filesystem): mke2fs
 * on a file. Returns its path, or why it could not (no e2fsprogs).
 */
export function makeFsImage(dir: string): { path: string } | { why: string } {
  const path = join(dir, 'fs.img');
  // not on a user's PATH on Debian: /sbin and /usr/sbin too
  const tries = process.env.COWFUZZ_MKE2FS ? [process.env.COWFUZZ_MKE2FS] : ['mke2fs', '/usr/sbin/mke2fs', '/sbin/mke2fs'];
  for (const mke2fs of tries) {
    try {
      execFileSync(mke2fs, ['-q', '-F', '-t', 'ext4', '-b', '4096', '-E', 'root_owner=0:0', path, `${FS_IMAGE_MIB}M`], { stdio: 'pipe' });
      return { path };
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
      if (err.code === 'ENOENT') continue;
      return { why: `${mke2fs} failed: ${(err.stderr?.toString() ?? err.message).trim().split('\n')[0]}` };
    }
  }
  return { why: `${tries.join(', ')}: not found (Debian: apt-get install e2fsprogs)` };
}

/** The initramfs: init, the programs in /tests, brd.ko, the ext4 image, /dev/console for init's output. */
export function buildInitramfs(init: string, programs: readonly GuestProgram[], brd: string | null, fsImage: string | null = null): Buffer {
  const entries: ArchiveEntry[] = [
    { name: 'dev', mode: DIR },
    { name: 'dev/console', mode: CHR, rdev: [5, 1] },
    { name: 'proc', mode: DIR },
    { name: 'sys', mode: DIR },
    { name: 'tmp', mode: 0o041777 },
    { name: 'tests', mode: DIR },
    { name: 'init', mode: EXE, data: readFileSync(init) },
  ];
  for (const p of programs) entries.push({ name: `tests/${p.name}`, mode: EXE, data: readFileSync(p.bin) });
  if (brd) entries.push({ name: basename(brd), mode: FILE, data: readFileSync(brd) });
  if (brd && fsImage) entries.push({ name: 'fs.img', mode: FILE, data: readFileSync(fsImage) });
  return gzipSync(newcArchive(entries), { level: 1 });
}

/** KVM when it works (a CPU with vmx or svm and a writable /dev/kvm), else TCG. COWFUZZ_QEMU_ACCEL overrides. */
export function qemuAccel(): string {
  const forced = process.env.COWFUZZ_QEMU_ACCEL;
  if (forced) return forced;
  try {
    const cpu = readFileSync('/proc/cpuinfo', 'utf8');
    if (/\b(vmx|svm)\b/.test(cpu)) {
      accessSync('/dev/kvm', constants.W_OK);
      return 'kvm';
    }
  } catch {
    // no /proc/cpuinfo or no usable /dev/kvm: emulate
  }
  return 'tcg';
}

export interface GuestRun {
  readonly log: string;
  readonly exit: string;
}

export interface BootResult {
  /** the whole serial console */
  readonly console: string;
  /** each program's lines and how it ended; a program missing here never ran to its end */
  readonly programs: ReadonlyMap<string, GuestRun>;
  readonly seconds: number;
}

export interface BootOptions {
  readonly timeoutMs: number;
  readonly onChild?: (c: ChildProcess | null) => void;
}

/** Boots `kernel` with the initramfs and waits for it to power off (or the timeout). */
export function boot(kernel: KernelImage, initramfs: string, o: BootOptions): Promise<BootResult> {
  const accel = qemuAccel();
  const args = [
    ...['-accel', accel, '-cpu', accel === 'kvm' ? 'host' : 'max', '-m', '1G', '-smp', '1'],
    ...['-kernel', kernel.vmlinuz, '-initrd', initramfs, '-nographic', '-no-reboot'],
    ...['-append', 'console=ttyS0 quiet panic=-1 rdinit=/init'],
  ];
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.env.COWFUZZ_QEMU ?? 'qemu-system-x86_64', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    o.onChild?.(child);
    const chunks: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => chunks.push(b));
    child.stderr.on('data', (b: Buffer) => chunks.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, o.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      o.onChild?.(null);
      reject(new KernelImageError(`cannot start QEMU: ${e.message} (Debian: apt-get install --no-install-recommends qemu-system-x86)`));
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      o.onChild?.(null);
      const console = Buffer.concat(chunks).toString('utf8').replace(/\r\n/g, '\n');
      const programs = splitConsole(console, timedOut ? `the boot timed out after ${Math.round(o.timeoutMs / 1000)} s` : sig ? `QEMU died: signal ${sig}` : `QEMU exited ${code}`);
      resolve({ console, programs, seconds: (Date.now() - t0) / 1000 });
    });
  });
}

/** Each program's lines between its begin and end markers; one cut short gets the reason as its exit. */
export function splitConsole(console: string, cutShort: string): Map<string, GuestRun> {
  const out = new Map<string, GuestRun>();
  let cur: string | null = null;
  let lines: string[] = [];
  for (const line of console.split('\n')) {
    const begin = /^=== begin (\S+)$/.exec(line);
    const end = /^=== end (\S+) (exit|signal) (\d+)/.exec(line);
    if (begin) {
      cur = begin[1]!;
      lines = [];
    } else if (end && cur === end[1]) {
      out.set(cur, { log: lines.join('\n') + '\n', exit: `${end[2]} ${end[3]}` });
      cur = null;
    } else if (cur !== null) lines.push(line);
  }
  if (cur !== null) out.set(cur, { log: lines.join('\n') + '\n', exit: cutShort });
  return out;
}
