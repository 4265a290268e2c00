// Runs the GraphQL over HTTP audit suite of `graphql-http` (auditServer) against a live
// server, sending `Authorization: Bearer $AFTERSALES_TOKEN` with every request.
// Usage: AFTERSALES_TOKEN=... node audit.mjs http://127.0.0.1:8000/graphql
// Prints one line per audit; exits 1 when any audit is not ok (a warning counts).
import { auditServer } from 'graphql-http';

const url = process.argv[2];
const token = process.env.AFTERSALES_TOKEN;
if (!url || !token) {
  console.error('usage: AFTERSALES_TOKEN=<token> node audit.mjs <url of /graphql>');
  process.exit(2);
}

function authorized(input, init = {}) {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

const results = await auditServer({ url, fetchFn: authorized });
let failed = 0;
for (const result of results) {
  console.log(`${result.status.padEnd(5)} ${result.id} ${result.name}`);
  if (result.status !== 'ok') {
    failed += 1;
    const body = result.response ? await result.response.text().catch(() => '') : '';
    console.log(`      ${result.reason}`);
    if (result.response) {
      console.log(`      HTTP ${result.response.status} ${result.response.headers.get('content-type')}`);
      console.log(`      ${body.slice(0, 300)}`);
    }
  }
}
console.log(`graphql-http audit: ${results.length - failed} ok, ${failed} not ok, of ${results.length}`);
process.exit(failed === 0 ? 0 : 1);
