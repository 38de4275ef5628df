// The clock the bench's figures are per: this process's CPU time (every thread), in seconds.

export function cpuNow(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
}
