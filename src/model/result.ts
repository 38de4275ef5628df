// How a request ends when the kernel refuses it: an errno from a system call, or a signal for a
// user access (do_user_addr_fault() -> bad_area() / do_sigbus()).

export type Errno = 'EFAULT' | 'EINVAL' | 'ENOMEM' | 'EBUSY' | 'EACCES' | 'EPERM' | 'EEXIST' | 'ENOENT' | 'EAGAIN' | 'ENOSPC' | 'EBADF' | 'EOPNOTSUPP';
export type Signal = 'SIGSEGV' | 'SIGBUS';
export type Refusal = Errno | Signal;
