#!/usr/bin/env python3
"""Differential check of runt's JSON reader against Python's json module.

Mutates the podman fixture and a few small documents, feeds every input to both, and fails when
they disagree on accept/reject or on the value. Python is made as strict as runt: duplicate keys,
lone surrogates, NaN/Infinity and integers outside i64..u64 are refused; floats compared as text.

    python3 diff.py [COUNT] [SEED]
"""
import json, os, random, struct, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.environ.get("FIXTURE", "/work/shared/fixtures/podman-4.3-config.json")
SPECIAL = b'{}[],:"\\/u0123456789abcdefABCDEF-+.eEtrufalsn \t\r\n\x00\x1f\x7f\x80\xbf\xc0\xc3\xe2\xed\xf0\xf4\xf8\xff'


class Refused(Exception):
    pass


def check_str(s):
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        raise Refused("lone surrogate")


def pairs(ps):
    keys = [k for k, _ in ps]
    if len(set(keys)) != len(keys):
        raise Refused("duplicate key")
    for k in keys:
        check_str(k)
    return dict(ps)


def refuse_constant(c):
    raise Refused(c)


def integer(t):
    v = int(t)
    if not -(2**63) <= v < 2**64:
        raise Refused("range")
    return v


def walk(v):
    if isinstance(v, str):
        check_str(v)
    elif isinstance(v, list):
        for x in v:
            walk(x)
    elif isinstance(v, dict):
        for x in v.values():
            walk(x)


def python(b):
    try:
        v = json.loads(b.decode("utf-8"), object_pairs_hook=pairs, parse_constant=refuse_constant,
                       parse_int=integer, parse_float=lambda t: "FLOAT:" + t)
        walk(v)
        return "OK " + json.dumps(v, separators=(",", ":"))
    except (UnicodeDecodeError, ValueError, Refused, RecursionError):
        return "ERR"


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 60000
    rnd = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    base = open(FIXTURE, "rb").read()
    small = [b'{"a":[1,2,{"b":"c\\u00e9\\ud83d\\ude00"}],"d":-0,"e":1.5e3,"f":null,"g":true}',
             b"[18446744073709551615,-9223372036854775808]", b'"\\u0041\\n"', base[:400]]

    def byte():
        return SPECIAL[rnd.randrange(len(SPECIAL))] if rnd.random() < 0.5 else rnd.randrange(256)

    inputs = []
    for _ in range(count):
        m = bytearray(rnd.choice(small) if rnd.random() < 0.7 else base)
        for _ in range(1 + rnd.randrange(3)):
            if not m:
                break
            i, op = rnd.randrange(len(m)), rnd.randrange(5)
            if op == 0:
                m[i] ^= 1 << rnd.randrange(8)
            elif op == 1:
                m[i] = byte()
            elif op == 2:
                m.insert(i, byte())
            elif op == 3:
                del m[i]
            else:
                m[i:i] = m[i:i + rnd.randrange(10)]
        inputs.append(bytes(m))
    for _ in range(count // 2):
        inputs.append(bytes(byte() for _ in range(rnd.randrange(12))))

    subprocess.run(["cargo", "build", "-q", "--release"], cwd=HERE, check=True)
    blob = b"".join(struct.pack("<I", len(x)) + x for x in inputs)
    out = subprocess.run([os.path.join(HERE, "target/release/json-diff")], input=blob,
                         capture_output=True, check=True).stdout.decode().splitlines()
    assert len(out) == len(inputs)
    diffs = accepted = 0
    for x, r in zip(inputs, out):
        ours = r if r.startswith("OK") else "ERR"
        accepted += ours != "ERR"
        if python(x) != ours:
            diffs += 1
            if diffs <= 10:
                print("differ:", x[:200], "runt:", r[:200], "python:", python(x)[:200])
    print(f"{len(inputs)} inputs, {accepted} accepted by runt, {diffs} differences")
    sys.exit(1 if diffs else 0)


main()
