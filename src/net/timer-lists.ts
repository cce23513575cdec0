// Node keeps its timers in one list per duration and drops a list when its last timer goes; the
// next timer of that duration builds a new list and re-sorts the queue of lists (and may re-arm
// libuv's timer). An association starts and stops a handful of timers (connect, ACSE, ARTIM, idle,
// DIMSE), each usually alone in its list, so every association paid that twice per timer. One
// idle, unref'd interval per duration keeps the list: starting and stopping a timer is then a
// linked-list insert and remove. It never keeps the process alive and wakes it once per duration.

/** Durations whose list is kept; bounded, so odd configured values cannot add intervals without end. */
const kept = new Set<number>();
const MAX_KEPT = 16;
const TIMEOUT_MAX = 2 ** 31 - 1;

/** Keeps Node's list of `ms` timers in place; true when this call started keeping it. */
export function keepTimerList(ms: number): boolean {
  if (kept.has(ms) || kept.size >= MAX_KEPT || !Number.isInteger(ms) || ms < 1 || ms > TIMEOUT_MAX) return false;
  kept.add(ms);
  setInterval(noop, ms).unref();
  return true;
}

function noop(): void {
  // The interval only holds its list.
}
