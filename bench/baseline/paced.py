"""The --paced protocol of the peers, as `descent bench --paced`: before each timed part (an epoch,
a product case) and before the report, print PROMPT and wait for a line on stdin, so that compare.py
can run two programs side by side and give them turns (compare.paced_pair)."""
import sys

PROMPT = "paced: waiting for a line on stdin"


def await_go(what):
    """Prints PROMPT and blocks until a line arrives on stdin; exits naming what was next when stdin ends."""
    print(PROMPT, flush=True)
    if not sys.stdin.readline():
        sys.exit(f"--paced: standard input ended before {what}")
