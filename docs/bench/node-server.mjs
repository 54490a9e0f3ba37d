// Node's http.createServer answering {"hello":"wirelab"} and a newline on 127.0.0.1:PORT, for the benchmarks.
// Usage: node node-server.mjs PORT [keepAliveTimeoutMs]   (Node's default keep-alive timeout is 5000)
import http from 'node:http';

const port = Number(process.argv[2] ?? 8080);
const body = '{"hello":"wirelab"}\n';   // the same 20 bytes as wirelab serve's /
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = Number(process.argv[3] ?? 5000);
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
