import { readFileSync } from 'node:fs';
import { isAlive } from './process-alive';

const SHELLS = new Set(['sh', 'dash', 'bash', 'zsh', 'ash']);

/** A process's name and parent, from Linux's /proc; undefined elsewhere or once it is gone. */
function procStat(pid: number): { name: string; parent: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (name) state ppid ...": the name may hold spaces and parentheses.
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return { name, parent };
  } catch {
    return undefined;
  }
}

/**
 * Calls `onGone` once the process that started this one is gone: its parent, and when that is
 * the shell npm runs a script in, npm itself (npm can exit on SIGTERM and leave its shell
 * waiting on us). Polled: no signal reaches a process whose parent dies.
 */
export function watchStarter(onGone: (starter: number) => void, everyMs = 500): void {
  const parent = process.ppid;
  const watched = [parent];
  const parentStat = procStat(parent);
  if (parentStat && SHELLS.has(parentStat.name) && parentStat.parent > 1) {
    watched.push(parentStat.parent);
  }
  const timer = setInterval(() => {
    const gone = process.ppid !== parent ? parent : watched.find((pid) => !isAlive(pid));
    if (gone === undefined) return;
    clearInterval(timer);
    onGone(gone);
  }, everyMs);
  timer.unref();
}
