// Times in China time with the offset shown, and countdowns in hours and minutes.

const CHINA = "Asia/Shanghai";
const OFFSET_MS = 8 * 3600 * 1000; // China has no daylight saving time

const parts = new Intl.DateTimeFormat("en-CA", {
  timeZone: CHINA,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

export function chinaTime(iso) {
  if (!iso) return "—";
  const p = Object.fromEntries(parts.formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} (UTC+8)`;
}

// The value of an <input type="datetime-local"> read as China time, for `at`.
export function fromChinaLocal(value) {
  if (!value) return null;
  return `${value.length === 16 ? `${value}:00` : value}+08:00`;
}

export function toChinaLocal(date) {
  return new Date(date.getTime() + OFFSET_MS).toISOString().slice(0, 16);
}

export function duration(ms, t) {
  const minutes = Math.max(0, Math.floor(Math.abs(ms) / 60000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const out = [];
  if (days) out.push(`${days} ${t.days}`);
  if (days || hours) out.push(`${hours} ${t.hours}`);
  out.push(`${mins} ${t.minutes}`);
  return out.join(" ");
}

// "auto-agree in 3 h 12 min" or "auto-agree overdue by 20 min".
export function countdown(iso, what, t, now = Date.now()) {
  const left = new Date(iso).getTime() - now;
  return left >= 0
    ? t.countdownIn(what, duration(left, t))
    : t.countdownOverdue(what, duration(left, t));
}
