// A JavaScript guest (componentize-js): fetch() runs over wasi:http
// outgoing-handler; each export returns a string the test compares.
// componentize-js imports wasi:http types and outgoing-handler in every
// component, so even `greet` links only where wasi:http is defined.
export function greet(name) {
  return `hello, ${name}`;
}

export async function get(url) {
  const r = await fetch(url);
  const t = await r.text();
  return `${r.status} ${t}`;
}

export async function header(url, name) {
  const r = await fetch(url);
  await r.arrayBuffer();
  return `${r.status} ${name}=${r.headers.get(name)}`;
}

// The echo server answers with the method and body length it received,
// and the body itself, which is read back.
export async function post(url, body) {
  const r = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'text/plain' } });
  const t = await r.text();
  return `${r.status} ${r.headers.get('x-method')} ${r.headers.get('x-len')} ${t === body ? 'same' : 'differs'}`;
}

export async function put(url, body) {
  const r = await fetch(url, { method: 'PUT', body: new TextEncoder().encode(body) });
  return `${r.status} ${r.headers.get('x-method')} ${r.headers.get('x-len')}`;
}

export async function sendheader(url, value) {
  const r = await fetch(url, { headers: { 'x-custom': value } });
  const t = await r.text();
  return t.split('\n').filter((l) => l.startsWith('x-custom')).join(';');
}

export async function size(url) {
  const r = await fetch(url);
  const b = await r.arrayBuffer();
  return `${r.status} ${b.byteLength}`;
}

export async function fail(url) {
  try {
    const r = await fetch(url);
    return `unexpected ${r.status}`;
  } catch (e) {
    return `error ${e.name}`;
  }
}
