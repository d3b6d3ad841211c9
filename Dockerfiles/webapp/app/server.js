// The web app behind HAProxy: Express from Debian's packages (NODE_PATH=/usr/share/nodejs).
// GET / answers {hello, ip, host, tag, sessionViews, id}; sessions ride on the
// NODESESSID cookie; POST /delay {delay: ms} makes every answer that slow.
'use strict';
const express = require('express');
const cookie = require('cookie');
const crypto = require('crypto');
const os = require('os');

const port = Number(process.env.PORT || 3000);
const bind = process.env.BIND || '0.0.0.0';
const name = process.env.NODE_NAME || os.hostname();
const tag = process.env.TAG || 'webapp';

function firstAddress() {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list || []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}
const ip = process.env.ADVERTISE_IP || firstAddress();

// In-memory sessions: enough for a demo node, and gone with it, as the lab's were.
const sessions = new Map();
const SESSION_LIMIT = 10000;
function session(req, res) {
  const id = cookie.parse(req.headers.cookie || '').NODESESSID;
  if (id && sessions.has(id)) return sessions.get(id);
  const fresh = { id: crypto.randomBytes(12).toString('hex'), views: 0 };
  if (sessions.size >= SESSION_LIMIT) sessions.delete(sessions.keys().next().value);
  sessions.set(fresh.id, fresh);
  res.setHeader('Set-Cookie', cookie.serialize('NODESESSID', fresh.id, { httpOnly: true, path: '/' }));
  return fresh;
}

let delay = 0;
const app = express();
app.use(express.json({ limit: '16kb' }));
app.use((req, res, next) => { res.setHeader('x-backend-ip', ip); next(); });

app.get('/', (req, res) => {
  const s = session(req, res);
  s.views += 1;
  const body = { hello: 'world!', ip, host: name, tag, sessionViews: s.views, id: s.id };
  if (delay > 0) setTimeout(() => res.json(body), delay); else res.json(body);
});

app.get('/healthz', (req, res) => res.json({ ok: true, host: name }));

app.post('/delay', (req, res) => {
  const ms = Number(req.body && req.body.delay);
  if (!Number.isFinite(ms) || ms < 0 || ms > 60000) {
    return res.status(400).json({ error: 'delay must be a number of milliseconds between 0 and 60000' });
  }
  delay = ms;
  res.json({ host: name, delay });
});

const server = app.listen(port, bind, () => console.log(`${name} listening on ${bind}:${port}`));
// In a container every service gets SIGTERM at once: keep serving for
// DRAIN_MS while the serf agent leaves and the balancer drains this node.
const drainMs = Number(process.env.DRAIN_MS || 0);
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => setTimeout(() => server.close(() => process.exit(0)), drainMs));
}
