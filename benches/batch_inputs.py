"""Inputs for the batch command's line-accounting and memory measurement (BENCHMARK.md).

    python3 benches/batch_inputs.py OUT_DIR

    python3 benches/batch_inputs.py OUT_DIR intakes      # only the named files: mix, wide, intakes

writes OUT_DIR/mix.ndjson (200,000 lines, about 173 MB: valid intakes, invalid JSON, invalid
intakes, blank lines, invalid UTF-8, every fifth line CRLF, and 95 large lines: 48 of
1,000,000 bytes and 47 of 1 MiB + 1, over the default limit), OUT_DIR/wide.ndjson (5,000
lines of 100 KB) and OUT_DIR/intakes.ndjson (100,000 lines cycling the bundled intakes in
`examples/intakes/`, in name order, each on one line: the throughput input). Deterministic: no
randomness.
"""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
GOOD = json.dumps(json.loads((ROOT / "examples/intakes/iop_primary.json").read_text()),
                  separators=(",", ":")).encode()
# An invalid intake 2: an unknown choice (its version is right, so the choice is what fails).
BAD = b'{"schema_version": "2", "age": 30, "safety": {"suicidal_ideation": "maybe"}}'


def mix(path, n=200_000, big=95):
    big_at = sorted(range(1000, n, n // big))[:big]
    big_at = {i: k for k, i in enumerate(big_at)}
    with open(path, "wb") as f:
        for i in range(n):
            if i in big_at:
                size = 1_000_000 if big_at[i] % 2 == 0 else (1 << 20) + 1
                line = GOOD + b" " * (size - len(GOOD))
            else:
                line = [GOOD, GOOD, GOOD, GOOD, GOOD, b"not json", BAD, b"  ",
                        b'{"age": 3\xc3}', GOOD][i % 10]
            f.write(line + (b"\r\n" if i % 5 == 0 else b"\n"))


def wide(path, n=5000, size=100_000):
    line = GOOD + b" " * (size - len(GOOD)) + b"\n"
    with open(path, "wb") as f:
        for _ in range(n):
            f.write(line)


def intakes(path, n=100_000):
    files = sorted((ROOT / "examples/intakes").glob("*.json"))
    lines = [json.dumps(json.loads(f.read_text()), separators=(",", ":")).encode() + b"\n"
             for f in files]
    with open(path, "wb") as f:
        for i in range(n):
            f.write(lines[i % len(lines)])


if __name__ == "__main__":
    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    which = sys.argv[2:] or ["mix", "wide", "intakes"]
    out.mkdir(parents=True, exist_ok=True)
    makers = {"mix": mix, "wide": wide, "intakes": intakes}
    for name in which:
        makers[name](out / f"{name}.ndjson")
