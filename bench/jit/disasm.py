#!/usr/bin/env python3
"""The machine code C2 compiled for a method, decoded without hsdis.

Without the hsdis library, HotSpot's -XX:CompileCommand=print lists a compiled method's bytes in
hex. This cuts the last C2-compiled method's main code out of such a listing and decodes it with
binutils' objdump (x86-64):

    java --add-modules jdk.incubator.vector -XX:+UnlockDiagnosticVMOptions \\
      -XX:CompileCommand=print,dev.descent.backend.Gemm::kernel8 -cp ... SomeMain > listing.txt
    bench/jit/disasm.py listing.txt | less        # grep vfmadd, vbroadcastss, (%rsp) ...

Addresses in the output are offsets from the method's first byte.
"""
import re
import subprocess
import sys
import tempfile

HEX_LINE = re.compile(r"\s*0x([0-9a-f]+): ([0-9a-f |]+)$")


def main_code(listing):
    parts = listing.split("C2-compiled nmethod")
    if len(parts) < 2:
        sys.exit("no C2-compiled method in the listing (did the method get hot enough?)")
    body = parts[-1].split("[Stub Code]")[0]
    code, base = bytearray(), None
    for line in body.splitlines():
        m = HEX_LINE.match(line)
        if not m:
            continue
        addr = int(m.group(1), 16)
        data = bytes.fromhex(m.group(2).replace("|", "").replace(" ", ""))
        base = addr if base is None else base
        if addr - base > len(code):  # a gap between listed blocks: pad with NOPs
            code += b"\x90" * (addr - base - len(code))
        code[addr - base:addr - base + len(data)] = data
    return code


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with open(sys.argv[1], errors="replace") as f:
        code = main_code(f.read())
    if not code:
        sys.exit("no code bytes found after the last C2-compiled method's header")
    with tempfile.NamedTemporaryFile(suffix=".bin") as out:
        out.write(code)
        out.flush()
        subprocess.run(["objdump", "-D", "-b", "binary", "-m", "i386:x86-64", out.name], check=True)


if __name__ == "__main__":
    main()
