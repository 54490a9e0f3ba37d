// Sequential keep-alive requests with Node's own agent: http.Agent({ keepAlive: true, maxSockets: 1 }),
// each request sent when the previous response has ended. Prints one JSON line.
// Usage: node node-sequential.mjs URL REQUESTS
import http from 'node:http';

const url = new URL(process.argv[2] ?? 'http://127.0.0.1:8080/');
const total = Number(process.argv[3] ?? 20000);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function once() {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: url.hostname, port: url.port, path: url.pathname + url.search, agent }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timed out')));
  });
}

for (let i = 0; i < 200; i++) await once();          // warm up, like wirelab bench does
const started = process.hrtime.bigint();
for (let i = 0; i < total; i++) await once();
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(JSON.stringify({ requests: total, seconds, requests_per_second: total / seconds }));
agent.destroy();
