// The walker's own pace, measured from their progress along the trace over time, for the
// time left; the circuit's standard pace until there is enough to measure. Pure (no DOM).

/** Below these, a measure says more about GPS noise or a pause than about a pace. */
const MIN_DISTANCE_M = 150;
const MIN_TIME_MS = 90_000;
/** Only the recent walk counts (a long lunch an hour ago should not slow the estimate). */
const WINDOW_MS = 30 * 60_000;
/** Paces outside this range (m/s) are not walking: ignored. */
const MIN_SPEED = 0.2;
const MAX_SPEED = 3;

export function createPace() {
  /** @type {{ t: number, d: number }[]} */
  const samples = [];
  return {
    /** A fix's time (ms) and the distance done then (m). */
    add(t, d) {
      if (!Number.isFinite(t) || !Number.isFinite(d)) return;
      const last = samples[samples.length - 1];
      if (last && t <= last.t) return;
      samples.push({ t, d });
      while (samples.length > 2 && t - samples[1].t > WINDOW_MS) samples.shift();
    },
    /** Metres per second, or null when too little has been walked. */
    speed() {
      if (samples.length < 2) return null;
      const a = samples[0];
      const b = samples[samples.length - 1];
      const dd = b.d - a.d;
      const dt = b.t - a.t;
      if (dd < MIN_DISTANCE_M || dt < MIN_TIME_MS) return null;
      const v = dd / (dt / 1000);
      return v >= MIN_SPEED && v <= MAX_SPEED ? v : null;
    },
  };
}

/**
 * Minutes left: at the walker's speed when known, else the circuit's standard pace
 * (duration × remaining / length); null when neither is known.
 * @param {number} remainingM
 * @param {number|null} speed m/s
 * @param {number|undefined} lengthM
 * @param {number|undefined} durationMin
 */
export function minutesLeft(remainingM, speed, lengthM, durationMin) {
  if (!Number.isFinite(remainingM)) return null;
  if (speed) return remainingM / speed / 60;
  if (typeof lengthM === 'number' && lengthM > 0 && typeof durationMin === 'number' && Number.isFinite(durationMin)) {
    return (durationMin * remainingM) / lengthM;
  }
  return null;
}
