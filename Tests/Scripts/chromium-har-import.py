# chromium-har-import.py FILE.har: loads a HAR file into the DevTools HAR importer that ships
# inside Chromium (its bundled frontend's models/har/har.js: HARFormat.HARRoot, then
# Importer.requestsFromHARLog, the path the Network panel's "Import HAR file" takes), driving a
# headless Chromium over the DevTools protocol with a minimal WebSocket client (stdlib only).
# Then hands them to the Network panel's log (NetworkLog.importRequests, as the panel does) and
# counts how many it holds. Prints one JSON object: the Chromium version, `inNetworkLog`, and per
# request the importer made, what the Network panel would show. Exit 1 if the importer throws, 2 if Chromium cannot be driven.
# Used by Tests/WireLabCLITests/ChromiumHARTests.swift; by hand:
#   wirelab observe --har out.har -- curl -s {url}/ {url}/ && python3 Tests/Scripts/chromium-har-import.py out.har
import base64, json, os, shutil, socket, struct, subprocess, sys, tempfile, time, urllib.request

def fail(why, status=2):
    sys.stderr.write('chromium-har-import: %s\n' % why)
    sys.exit(status)

def ws_connect(url):
    host_port, path = url[len('ws://'):].split('/', 1)
    host, port = host_port.split(':')
    s = socket.create_connection((host, int(port)), timeout=20)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(('GET /%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
               'Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n' % (path, host_port, key)).encode())
    head = b''
    while b'\r\n\r\n' not in head:
        head += s.recv(1)
    if b' 101 ' not in head.split(b'\r\n')[0]:
        fail('websocket upgrade refused: %r' % head)
    return s

def ws_send(s, text):
    data = text.encode()
    mask = os.urandom(4)
    n = len(data)
    header = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack('>H', n) if n < 65536 else bytes([0x80 | 127]) + struct.pack('>Q', n))
    s.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

def recv_exact(s, n):
    out = b''
    while len(out) < n:
        chunk = s.recv(n - len(out))
        if not chunk: fail('websocket closed')
        out += chunk
    return out

def ws_recv(s):
    message = b''
    while True:
        b0, b1 = recv_exact(s, 2)
        n = b1 & 0x7f
        if n == 126: n = struct.unpack('>H', recv_exact(s, 2))[0]
        elif n == 127: n = struct.unpack('>Q', recv_exact(s, 8))[0]
        payload = recv_exact(s, n)
        message += payload
        if b0 & 0x80: return message.decode()

class CDP:
    def __init__(self, url):
        self.s = ws_connect(url); self.next = 0
    def call(self, method, **params):
        self.next += 1
        ws_send(self.s, json.dumps({'id': self.next, 'method': method, 'params': params}))
        while True:
            reply = json.loads(ws_recv(self.s))
            if reply.get('id') == self.next:
                if 'error' in reply: fail('%s: %s' % (method, reply['error']))
                return reply['result']

def main():
    if len(sys.argv) != 2: fail('usage: chromium-har-import.py FILE.har', status=64)
    har_path = sys.argv[1]
    profile = tempfile.mkdtemp(prefix='wirelab-chromium-')
    chrome = subprocess.Popen(['chromium', '--headless=new', '--no-sandbox', '--disable-gpu', '--remote-debugging-port=0',
                               '--user-data-dir=' + profile, 'about:blank'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = os.path.join(profile, 'DevToolsActivePort')
        for _ in range(150):
            if os.path.exists(port_file) and open(port_file).read().count('\n') >= 1: break
            time.sleep(0.1)
        else:
            fail('Chromium did not open its debugging port within 15 s')
        port = int(open(port_file).read().split('\n')[0])
        pages = json.load(urllib.request.urlopen('http://127.0.0.1:%d/json/list' % port))
        page = next(p for p in pages if p['type'] == 'page')
        cdp = CDP(page['webSocketDebuggerUrl'])
        # A page of the origin that serves Chromium's bundled DevTools frontend, so its modules load.
        cdp.call('Page.enable')
        cdp.call('Page.navigate', url='http://127.0.0.1:%d/devtools/devtools_app.html' % port)
        # Wait (bounded) until the page has loaded, so its modules resolve against its origin.
        deadline = time.time() + 15
        while cdp.call('Runtime.evaluate', expression='document.readyState', returnByValue=True)['result'].get('value') != 'complete':
            if time.time() > deadline: fail('the DevTools page did not load within 15 s')
            time.sleep(0.05)
        text = open(har_path).read()
        expression = '''(async () => {
          const HAR = await import('/devtools/models/har/har.js');
          const root = new HAR.HARFormat.HARRoot(JSON.parse(%s));
          const requests = HAR.Importer.Importer.requestsFromHARLog(root.log);
          // What the Network panel does next with them (NetworkLogView's HAR loading): into the log it shows.
          const Logs = await import('/devtools/models/logs/logs.js');
          const log = Logs.NetworkLog.NetworkLog.instance();
          log.importRequests(requests);
          const inLog = log.requests().filter(r => requests.includes(r)).length;
          return JSON.stringify({inNetworkLog: inLog, requests: requests.map(r => ({url: r.url(), status: r.statusCode, connectionId: r.connectionId,
            protocol: r.protocol, mimeType: r.mimeType, transferSize: r.transferSize, resourceSize: r.resourceSize,
            responseHeaders: r.responseHeaders.length, requestHeaders: r.requestHeaders().length,
            remoteAddress: r.remoteAddress(), durationMs: (r.endTime - r.startTime) * 1000,
            timing: r.timing && {sendStart: r.timing.sendStart, receiveHeadersEnd: r.timing.receiveHeadersEnd}}))});
        })()''' % json.dumps(text)
        result = cdp.call('Runtime.evaluate', expression=expression, awaitPromise=True, returnByValue=True)
        if 'exceptionDetails' in result:
            details = result['exceptionDetails']
            fail('the importer threw: %s' % (details.get('exception', {}).get('description') or details.get('text')), status=1)
        print(json.dumps({'chromium': json.load(urllib.request.urlopen('http://127.0.0.1:%d/json/version' % port))['Browser'],
                          **json.loads(result['result']['value'])}, indent=1))
    finally:
        chrome.terminate()
        try: chrome.wait(5)
        except subprocess.TimeoutExpired:
            chrome.kill()
            chrome.wait(5)
        shutil.rmtree(profile, ignore_errors=True)

main()
