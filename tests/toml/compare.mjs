// Compares toml-test tagged JSON semantically, as toml-test does.
//   node tests/toml/compare.mjs LIST
// LIST has one "NAME<TAB>EXPECTED.json<TAB>ACTUAL.json" per line. Prints
// "FAIL: NAME: why" for each mismatch and exits 1 if there was any.
import { readFileSync } from 'node:fs';

const isTagged = (o) =>
  o && typeof o === 'object' && !Array.isArray(o) && Object.keys(o).length === 2 &&
  typeof o.type === 'string' && typeof o.value === 'string';

function floatOf(s) {
  const t = s.replace(/_/g, '');
  if (/^[+-]?nan$/.test(t)) return NaN;
  if (/^[+-]?inf$/.test(t)) return t[0] === '-' ? -Infinity : Infinity;
  return Number(t);
}

// Days since 1970-01-01 for a proleptic Gregorian date (any year 0..9999).
function daysFromCivil(y, m, d) {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

// Normalises a date/time of toml-test KIND to a comparable string: the
// instant in nanoseconds for offset date-times, fields otherwise.
function normTime(kind, s) {
  const frac = (f) => BigInt(((f || '') + '000000000').slice(0, 9));
  if (kind === 'date-local') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
    return m ? m.slice(1).join('-') : 'bad:' + s;
  }
  if (kind === 'time-local') {
    const m = /^(\d{2}):(\d{2})(?::(\d{2}))?(?:\.(\d+))?$/.exec(s);
    if (!m) return 'bad:' + s;
    return `${m[1]}:${m[2]}:${m[3] || '00'}.${frac(m[4])}`;
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})?$/.exec(s);
  if (!m) return 'bad:' + s;
  if (kind === 'datetime-local') {
    if (m[8]) return 'bad:' + s;
    return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] || '00'}.${frac(m[7])}`;
  }
  if (!m[8]) return 'bad:' + s;
  let off = 0;
  if (m[8] !== 'Z' && m[8] !== 'z') {
    off = (Number(m[8].slice(1, 3)) * 60 + Number(m[8].slice(4, 6))) * (m[8][0] === '-' ? -1 : 1);
  }
  const days = daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
  const secs = BigInt(days) * 86400n + BigInt(Number(m[4]) * 3600 + Number(m[5]) * 60 + Number(m[6] || 0) - off * 60);
  return (secs * 1000000000n + frac(m[7])).toString();
}

function cmpScalar(want, have, path) {
  if (want.type !== have.type) return `${path}: type ${have.type}, want ${want.type}`;
  const w = want.value, h = have.value;
  switch (want.type) {
    case 'integer': {
      let ok;
      try { ok = BigInt(w.replace(/_/g, '')) === BigInt(h); } catch { ok = false; }
      return ok ? null : `${path}: integer ${h}, want ${w}`;
    }
    case 'float': {
      const a = floatOf(w), b = floatOf(h);
      if (Number.isNaN(a) && Number.isNaN(b)) return null;
      return a === b ? null : `${path}: float ${h}, want ${w}`;
    }
    case 'datetime':
    case 'datetime-local':
    case 'date-local':
    case 'time-local':
      return normTime(want.type, w) === normTime(want.type, h) ? null : `${path}: ${want.type} ${h}, want ${w}`;
    default:
      return w === h ? null : `${path}: ${want.type} ${JSON.stringify(h)}, want ${JSON.stringify(w)}`;
  }
}

function cmp(want, have, path) {
  if (isTagged(want)) {
    if (!isTagged(have)) return `${path}: got ${JSON.stringify(have).slice(0, 60)}, want a ${want.type}`;
    return cmpScalar(want, have, path);
  }
  if (Array.isArray(want)) {
    if (!Array.isArray(have)) return `${path}: want an array`;
    if (want.length !== have.length) return `${path}: array length ${have.length}, want ${want.length}`;
    for (let i = 0; i < want.length; i++) {
      const e = cmp(want[i], have[i], `${path}[${i}]`);
      if (e) return e;
    }
    return null;
  }
  if (want && typeof want === 'object') {
    if (!have || typeof have !== 'object' || Array.isArray(have) || isTagged(have)) return `${path}: want a table`;
    const wk = Object.keys(want).sort(), hk = Object.keys(have).sort();
    if (wk.join('\0') !== hk.join('\0')) return `${path}: keys [${hk}], want [${wk}]`;
    for (const k of wk) {
      const e = cmp(want[k], have[k], `${path}.${JSON.stringify(k)}`);
      if (e) return e;
    }
    return null;
  }
  return `${path}: unexpected ${JSON.stringify(want)}`;
}

let bad = 0;
for (const line of readFileSync(process.argv[2], 'utf8').split('\n')) {
  if (!line) continue;
  const [name, wantFile, haveFile] = line.split('\t');
  let err;
  try {
    const want = JSON.parse(readFileSync(wantFile, 'utf8'));
    let have;
    try { have = JSON.parse(readFileSync(haveFile, 'utf8')); } catch (e) { throw new Error('decoder output is not JSON: ' + e.message); }
    err = cmp(want, have, '$');
  } catch (e) {
    err = e.message;
  }
  if (err) {
    console.log(`FAIL: ${name}: ${err}`);
    bad++;
  }
}
process.exit(bad ? 1 : 0);
