#!/usr/bin/env python3
"""Userspace stand-ins for what the test kernel lacks (no netem, no
iptables), and the traffic the real-network tests throw at gossip members.

  relay    --listen IP:PORT --to IP:PORT [--delay-ms N] [--loss P]
           [--no-udp] [--drop-udp-from IP ...]
  ping     --to IP:PORT [--node NAME] [--timeout S] [--tries N]
  send     --to IP:PORT --hex HEX
  flood    --to IP:PORT [--count N]
  stream   --to IP:PORT [--prefix HEX] [--bytes N] [--seconds S]
  streams  --to IP:PORT [--count N] [--bytes N] [--seconds S]

A member advertises the relay's address, so every packet and connection
meant for it crosses exactly one relay, the receiver's. The relay keeps one
upstream UDP socket per client source address: whatever the member sends back
to the source of a datagram (memberlist does when a ping carries no
SourceAddr) returns to that client through the relay, delayed and lossy too.
Loss is applied to UDP only; TCP bytes are delayed, never dropped, as the
kernel would retransmit them anyway.

Python rather than a Swift target: no build step and no Package.swift change
for a tool that moves a few hundred packets a second, and the test hosts have
python3 already.
"""
import argparse
import asyncio
import os
import random
import signal
import socket
import struct
import sys
import time


def hostport(text):
    host, _, port = text.rpartition(":")
    return host, int(port)


# --- relay -------------------------------------------------------------------

class Stats:
    def __init__(self):
        self.udp_in = self.udp_out = self.udp_lost = self.udp_blocked = 0
        self.tcp_conns = self.tcp_bytes = 0

    def line(self):
        return (f"udp in={self.udp_in} out={self.udp_out} lost={self.udp_lost} blocked={self.udp_blocked} "
                f"tcp conns={self.tcp_conns} bytes={self.tcp_bytes}")


class Relay:
    def __init__(self, args):
        self.listen = hostport(args.listen)
        self.target = hostport(args.to)
        self.delay = args.delay_ms / 1000.0
        self.loss = args.loss
        self.no_udp = args.no_udp
        self.blocked = set(args.drop_udp_from or [])
        self.stats = Stats()
        self.upstreams = {}  # client (ip, port) -> [transport, last use]
        self.front = None

    def later(self, fn, *a):
        if self.delay > 0:
            asyncio.get_running_loop().call_later(self.delay, fn, *a)
        else:
            fn(*a)

    def passes(self, client_ip):
        if self.no_udp or client_ip in self.blocked:
            self.stats.udp_blocked += 1
            return False
        if self.loss > 0 and random.random() < self.loss:
            self.stats.udp_lost += 1
            return False
        return True

    async def client_datagram(self, data, client):
        self.stats.udp_in += 1
        if not self.passes(client[0]):
            return
        up = self.upstreams.get(client)
        if up is None:
            relay = self

            class Back(asyncio.DatagramProtocol):
                def datagram_received(self, data, _addr):
                    relay.stats.udp_in += 1
                    if relay.passes(client[0]):
                        relay.later(relay.send_front, data, client)

                def error_received(self, exc):
                    pass

            loop = asyncio.get_running_loop()
            transport, _ = await loop.create_datagram_endpoint(
                Back, local_addr=(self.listen[0], 0), remote_addr=self.target)
            up = self.upstreams.setdefault(client, [transport, time.monotonic()])
            if up[0] is not transport:  # another datagram from this client won the race
                transport.close()
        up[1] = time.monotonic()
        self.later(self.send_up, up[0], data)

    def send_up(self, transport, data):
        if not transport.is_closing():
            self.stats.udp_out += 1
            transport.sendto(data)

    def send_front(self, data, client):
        self.stats.udp_out += 1
        self.front.sendto(data, client)

    async def reap_upstreams(self):
        while True:
            await asyncio.sleep(10)
            now = time.monotonic()
            for client, (transport, last) in list(self.upstreams.items()):
                if now - last > 120:
                    transport.close()
                    del self.upstreams[client]

    async def pipe(self, reader, writer):
        # A queue keeps the order: every chunk leaves `delay` after it came.
        queue = asyncio.Queue()

        async def send():
            try:
                while True:
                    due, data = await queue.get()
                    wait = due - time.monotonic()
                    if wait > 0:
                        await asyncio.sleep(wait)
                    if data is None:
                        if writer.can_write_eof():
                            writer.write_eof()
                        return
                    writer.write(data)
                    await writer.drain()
            except (ConnectionError, OSError):
                pass

        sender = asyncio.ensure_future(send())
        try:
            while True:
                data = await reader.read(65536)
                self.stats.tcp_bytes += len(data)
                await queue.put((time.monotonic() + self.delay, data or None))
                if not data:
                    break
        except (ConnectionError, OSError):
            pass
        try:
            await sender
        finally:
            pass

    async def client_stream(self, reader, writer):
        self.stats.tcp_conns += 1
        try:
            up_reader, up_writer = await asyncio.open_connection(
                self.target[0], self.target[1], local_addr=(self.listen[0], 0))
        except OSError:
            writer.close()
            return
        try:
            await asyncio.gather(self.pipe(reader, up_writer), self.pipe(up_reader, writer))
        finally:
            for w in (writer, up_writer):
                try:
                    w.close()
                except Exception:
                    pass

    async def run(self):
        loop = asyncio.get_running_loop()
        relay = self

        class Front(asyncio.DatagramProtocol):
            def datagram_received(self, data, addr):
                asyncio.ensure_future(relay.client_datagram(data, addr))

            def error_received(self, exc):
                pass

        self.front, _ = await loop.create_datagram_endpoint(Front, local_addr=self.listen)
        server = await asyncio.start_server(self.client_stream, self.listen[0], self.listen[1], reuse_address=True)
        asyncio.ensure_future(self.reap_upstreams())
        stop = asyncio.Event()
        for s in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(s, stop.set)
        print(f"ready {self.listen[0]}:{self.listen[1]} -> {self.target[0]}:{self.target[1]} "
              f"delay={self.delay * 1000:.0f}ms loss={self.loss} no_udp={self.no_udp} "
              f"blocked={sorted(self.blocked)}", flush=True)

        async def report():
            while True:
                await asyncio.sleep(10)
                print(self.stats.line(), flush=True)

        reporter = asyncio.ensure_future(report())
        await stop.wait()
        reporter.cancel()
        server.close()
        print("final " + self.stats.line(), flush=True)


# --- a memberlist ping, hand-encoded (msgpack as hashicorp/go-msgpack writes it)

def mp_str(s):
    b = s.encode()
    if len(b) < 32:
        return bytes([0xA0 | len(b)]) + b
    return bytes([0xD9, len(b)]) + b


def mp_uint(n):
    if n < 128:
        return bytes([n])
    if n < 256:
        return bytes([0xCC, n])
    if n < 65536:
        return bytes([0xCD]) + struct.pack(">H", n)
    return bytes([0xCE]) + struct.pack(">I", n)


def mp_bin(b):
    return bytes([0xC4, len(b)]) + b


def mp_decode(buf, i=0):
    """(value, next index) for the msgpack subset memberlist writes."""
    t = buf[i]
    i += 1
    if t <= 0x7F:
        return t, i
    if t >= 0xE0:
        return t - 256, i
    if 0x80 <= t <= 0x8F or t in (0xDE, 0xDF):
        if t <= 0x8F:
            n = t & 0x0F
        elif t == 0xDE:
            n = struct.unpack_from(">H", buf, i)[0]; i += 2
        else:
            n = struct.unpack_from(">I", buf, i)[0]; i += 4
        out = {}
        for _ in range(n):
            k, i = mp_decode(buf, i)
            v, i = mp_decode(buf, i)
            out[k if not isinstance(k, bytes) else k.decode(errors="replace")] = v
        return out, i
    if 0x90 <= t <= 0x9F or t in (0xDC, 0xDD):
        if t <= 0x9F:
            n = t & 0x0F
        elif t == 0xDC:
            n = struct.unpack_from(">H", buf, i)[0]; i += 2
        else:
            n = struct.unpack_from(">I", buf, i)[0]; i += 4
        out = []
        for _ in range(n):
            v, i = mp_decode(buf, i)
            out.append(v)
        return out, i
    # Strings stay bytes: go-msgpack writes []byte fields (a compressed
    # Buf, a SourceAddr) as raw strings.
    if 0xA0 <= t <= 0xBF:
        n = t & 0x1F
        return bytes(buf[i:i + n]), i + n
    sizes = {0xD9: 1, 0xDA: 2, 0xDB: 4, 0xC4: 1, 0xC5: 2, 0xC6: 4}
    if t in sizes:
        w = sizes[t]
        n = int.from_bytes(buf[i:i + w], "big"); i += w
        raw = buf[i:i + n]
        return bytes(raw), i + n
    fixed = {0xCC: ">B", 0xCD: ">H", 0xCE: ">I", 0xCF: ">Q", 0xD0: ">b", 0xD1: ">h", 0xD2: ">i", 0xD3: ">q",
             0xCA: ">f", 0xCB: ">d"}
    if t in fixed:
        v = struct.unpack_from(fixed[t], buf, i)[0]
        return v, i + struct.calcsize(fixed[t])
    if t == 0xC0:
        return None, i
    if t in (0xC2, 0xC3):
        return t == 0xC3, i
    raise ValueError(f"msgpack type 0x{t:02x}")


def lzw_decompress(data):
    """Go's compress/lzw, LSB order, 8-bit literals: what memberlist's
    compressMsg carries (serf agents compress whenever it is shorter)."""
    base = {i: bytes([i]) for i in range(256)}
    table = dict(base)
    out = bytearray()
    bits = nbits = pos = 0
    width, hi, overflow, last = 9, 257, 512, None
    while True:
        while nbits < width:
            if pos >= len(data):
                return bytes(out)
            bits |= data[pos] << nbits
            pos += 1
            nbits += 8
        code = bits & ((1 << width) - 1)
        bits >>= width
        nbits -= width
        if code == 256:  # clear
            table, width, hi, overflow, last = dict(base), 9, 257, 512, None
            continue
        if code == 257:  # end
            return bytes(out)
        if code < hi and code in table:
            entry = table[code]
        elif code == hi and last is not None:
            entry = table[last] + table[last][:1]
        else:
            raise ValueError("bad lzw code")
        out += entry
        if last is not None:
            table[hi] = table[last] + entry[:1]
        last, hi = code, hi + 1
        if hi >= overflow:
            if width == 12:
                last, hi = None, hi - 1
            else:
                width += 1
                overflow = 1 << width


def acks_in(packet):
    """SeqNos of every ack in a packet, through compound, compressed and CRC wrappers."""
    if not packet:
        return []
    kind = packet[0]
    if kind == 9:  # compressMsg {Algo: 0 (LZW), Buf}
        try:
            body, _ = mp_decode(packet, 1)
            return acks_in(lzw_decompress(body["Buf"]))
        except Exception:
            return []
    if kind == 12 and len(packet) >= 5:  # hasCrcMsg
        return acks_in(packet[5:])
    if kind == 7:  # compoundMsg
        n = packet[1]
        lengths = struct.unpack_from(">" + "H" * n, packet, 2)
        i = 2 + 2 * n
        out = []
        for length in lengths:
            out += acks_in(packet[i:i + length])
            i += length
        return out
    if kind == 2:  # ackRespMsg
        try:
            body, _ = mp_decode(packet, 1)
            return [body.get("SeqNo")]
        except Exception:
            return []
    return []


def cmd_ping(args):
    host, port = hostport(args.to)
    # Which local address reaches the target; the ack comes from the member's
    # own socket, not necessarily from the address we sent to (a relay), so the
    # socket that waits for it must not be connected.
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.connect((host, port))
    me = probe.getsockname()[0]
    probe.close()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((me, 0))
    my_port = sock.getsockname()[1]
    for attempt in range(args.tries):
        seq = random.randint(1, 2 ** 31)
        fields = [("SeqNo", mp_uint(seq))]
        if args.node:
            fields.append(("Node", mp_str(args.node)))
        fields += [("SourceAddr", mp_bin(socket.inet_aton(me))), ("SourcePort", mp_uint(my_port)),
                   ("SourceNode", mp_str("netrelay-ping"))]
        body = bytes([0x80 | len(fields)]) + b"".join(mp_str(k) + v for k, v in fields)
        start = time.monotonic()
        try:
            sock.sendto(b"\x00" + body, (host, port))
        except OSError as e:
            print(f"ping {args.to}: send failed: {e}")
            time.sleep(args.timeout)
            continue
        deadline = start + args.timeout
        while time.monotonic() < deadline:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data = sock.recv(65536)
            except socket.timeout:
                break
            except OSError as e:  # ICMP port unreachable comes back as ECONNREFUSED
                print(f"ping {args.to}: {e}")
                time.sleep(max(0, deadline - time.monotonic()))
                break
            if seq in acks_in(data):
                print(f"ack from {args.to} in {(time.monotonic() - start) * 1000:.1f} ms (attempt {attempt + 1})")
                return 0
    print(f"no ack from {args.to} after {args.tries} tries")
    return 1


# --- traffic nobody should choke on ------------------------------------------

def cmd_send(args):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.sendto(bytes.fromhex(args.hex), hostport(args.to))
    print(f"sent {len(args.hex) // 2} bytes to {args.to}")
    return 0


def cmd_flood(args):
    rng = random.Random(args.seed)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    target = hostport(args.to)
    pool = os.urandom(1 << 20)
    sent = failed = 0
    for n in range(args.count):
        size = rng.randint(1, 1400)
        start = rng.randint(0, len(pool) - size)
        data = bytearray(pool[start:start + size])
        # Half start with a real message type, so they reach the decoders.
        if n % 2 == 0:
            data[0] = rng.randint(0, 13)
        try:
            sock.sendto(data, target)
            sent += 1
        except OSError:
            failed += 1
        if n % 2000 == 1999:
            time.sleep(0.01)  # let the receiver drain rather than overflow its buffer
    print(f"flood {args.to}: {sent} datagrams sent, {failed} refused by the kernel")
    return 0


def stream_once(target, prefix, total, seconds, chunk):
    s = socket.create_connection(target, timeout=5)
    s.settimeout(seconds)
    sent = 0
    how = "sent everything"
    deadline = time.monotonic() + seconds
    try:
        s.sendall(prefix)
        sent += len(prefix)
        while sent < total:
            if time.monotonic() > deadline:
                how = "time limit"
                break
            s.sendall(chunk)
            sent += len(chunk)
    except socket.timeout:
        how = "time limit"
    except OSError as e:
        how = f"peer ended it: {e.strerror or e}"
    finally:
        s.close()
    return sent, how


def cmd_stream(args):
    chunk = os.urandom(1 << 20)
    start = time.monotonic()
    sent, how = stream_once(hostport(args.to), bytes.fromhex(args.prefix), args.bytes, args.seconds, chunk)
    print(f"stream {args.to}: {sent} bytes in {time.monotonic() - start:.1f} s, {how}")
    return 0


def cmd_streams(args):
    async def one(n):
        rng = random.Random(n)
        try:
            reader, writer = await asyncio.open_connection(*hostport(args.to))
        except OSError as e:
            return 0, f"connect: {e}"
        sent = 0
        deadline = time.monotonic() + args.seconds
        how = "held to the end"
        try:
            first = bytes([rng.choice([6, 6, 8, 9, 10, 0, 2, 255])])
            writer.write(first)
            while time.monotonic() < deadline and sent < args.bytes:
                data = os.urandom(min(65536, args.bytes - sent))
                writer.write(data)
                await writer.drain()
                sent += len(data)
                await asyncio.sleep(0.01)
            while time.monotonic() < deadline:
                if reader.at_eof():
                    how = "closed by peer"
                    break
                await asyncio.sleep(0.2)
        except (ConnectionError, OSError) as e:
            how = f"peer ended it: {e}"
        finally:
            writer.close()
        return sent, how

    async def all_of_them():
        return await asyncio.gather(*(one(n) for n in range(args.count)))

    results = asyncio.run(all_of_them())
    total = sum(r[0] for r in results)
    endings = {}
    for _, how in results:
        key = how.split(":")[0]
        endings[key] = endings.get(key, 0) + 1
    print(f"streams {args.to}: {args.count} connections, {total} bytes, endings {endings}")
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("relay")
    r.add_argument("--listen", required=True)
    r.add_argument("--to", required=True)
    r.add_argument("--delay-ms", type=float, default=0)
    r.add_argument("--loss", type=float, default=0)
    r.add_argument("--no-udp", action="store_true")
    r.add_argument("--drop-udp-from", action="append")
    r.add_argument("--seed", type=int)
    q = sub.add_parser("ping")
    q.add_argument("--to", required=True)
    q.add_argument("--node")
    q.add_argument("--timeout", type=float, default=1.0)
    q.add_argument("--tries", type=int, default=3)
    s = sub.add_parser("send")
    s.add_argument("--to", required=True)
    s.add_argument("--hex", required=True)
    f = sub.add_parser("flood")
    f.add_argument("--to", required=True)
    f.add_argument("--count", type=int, default=100000)
    f.add_argument("--seed", type=int, default=1)
    t = sub.add_parser("stream")
    t.add_argument("--to", required=True)
    t.add_argument("--prefix", default="06c680000000")
    t.add_argument("--bytes", type=int, default=(2 << 30) + 6)
    t.add_argument("--seconds", type=float, default=60)
    m = sub.add_parser("streams")
    m.add_argument("--to", required=True)
    m.add_argument("--count", type=int, default=100)
    m.add_argument("--bytes", type=int, default=1 << 20)
    m.add_argument("--seconds", type=float, default=10)
    args = p.parse_args()
    if args.cmd == "relay":
        if args.seed is not None:
            random.seed(args.seed)
        asyncio.run(Relay(args).run())
        return 0
    return {"ping": cmd_ping, "send": cmd_send, "flood": cmd_flood, "stream": cmd_stream,
            "streams": cmd_streams}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
