#!/usr/bin/env python3
"""How close each C2 compile of Descent's code came to C2's per-compile trap limit.

C2 adds up the trap counts recorded in the profile of every method it inlines into one compile
(each vector operation inlines the JVM-wide VectorOperators.ImplCache.find and a lanewiseTemplate,
whose profiles gather traps from all the code that ran before). Once a reason's sum reaches
-XX:PerMethodTrapLimit (100), C2 stops emitting that trap in the rest of the compile: a type check
then compiles as a call, and a vector that meets it is boxed on the hot path (DirectConv.forwardTile
allocated 0.37 MB a CNN step that way in one full test run in four, 2026-12-07). Too many
unstable_if traps only keeps cold branches, whose boxes stay on those branches.

Record a log, for example of the whole core suite:

    mvn -B -o -pl core test "-Dsurefire.argLine=--add-modules=jdk.incubator.vector -Xss4m \\
      -XX:+UnlockDiagnosticVMOptions -XX:+LogCompilation -XX:LogFile=/tmp/jit.log"
    bench/jit/trap_budget.py /tmp/jit.log            # or: ... /tmp/jit.log dev.descent.backend.

It prints, per compiled method (the standard and the OSR compile apart), the highest sum per trap
reason and the reasons C2 found over the limit; class_check sums from half the limit are flagged.
"""
import re
import sys

LIMIT = 100  # -XX:PerMethodTrapLimit's default
TASK = re.compile(r"<task [^>]*method='([^' ]+ [^' ]+)")
TOTAL = re.compile(r"<observe trap='(\w+)' count='\d+' total='(\d+)'")
OVER = re.compile(r"<observe trap='(\w+)' count='0' mcount='-?\d+' ccount='(\d+)'")


def main(path, prefix):
    totals, over, current = {}, {}, None
    with open(path, errors="replace") as log:
        for line in log:
            if line.startswith("<task "):
                m = TASK.search(line)
                current = m and m[1].replace(" ", ".", 1).split(" ")[0] + (" (osr)" if "osr_bci" in line else "")
                if current and not current.startswith(prefix):
                    current = None
            elif line.startswith("</task>"):
                current = None
            elif current:
                m = TOTAL.search(line)
                if m:
                    sums = totals.setdefault(current, {})
                    sums[m[1]] = max(sums.get(m[1], 0), int(m[2]))
                m = OVER.search(line)
                if m:
                    over.setdefault(current, set()).add(m[1])
    if not totals and not over:
        sys.exit(f"no compile of {prefix}* in {path} (was it written with -XX:+LogCompilation?)")
    rows = sorted(set(totals) | set(over), key=lambda k: -totals.get(k, {}).get("class_check", 0))
    print(f"{'class_check':>11}  method; highest sums per reason; [reasons over the limit of {LIMIT}]")
    for method in rows:
        sums = totals.get(method, {})
        cc = sums.get("class_check", 0)
        flag = "  <-- class_check at half the limit or more" if cc >= LIMIT // 2 else ""
        others = ", ".join(f"{r} {n}" for r, n in sorted(sums.items(), key=lambda x: -x[1]) if r != "class_check")
        hit = f" [{', '.join(sorted(over[method]))}]" if method in over else ""
        print(f"{cc:>11}  {method}; {others}{hit}{flag}")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2] if len(sys.argv) == 3 else "dev.descent.")
