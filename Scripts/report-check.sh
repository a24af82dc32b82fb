#!/usr/bin/env bash
# End-to-end check of `convgraph report` (issue 14, item 5) in a real browser: makes the seed
# run and a trained run (Examples/digits), writes each one's report, renders it with headless
# Chromium to a PNG, and fails when Chromium exits non-zero, logs a JavaScript error or a
# failed resource load, or the PNG is blank (pure-Python PNG decoding: no Pillow needed).
#
#   Scripts/report-check.sh [CONVGRAPH] [PNG-DIR]
#     CONVGRAPH  default .build/release/convgraph (built if missing)
#     PNG-DIR    where to keep report-seed.png and report-train.png (default: a temporary folder)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-.build/release/convgraph}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
pngs=${2:-$out}
mkdir -p "$pngs"

if ! command -v chromium > /dev/null; then
    echo "report-check: installing Debian's chromium"
    apt-get install -y chromium > "$out/apt.log" 2>&1 || { apt-get update > /dev/null && apt-get install -y chromium > "$out/apt.log" 2>&1; }
fi
if [ ! -x "$bin" ]; then
    swift build -c release --product convgraph 2>&1 | grep -E 'error|warning: unre' || true
fi

"$bin" run Graphs/seed.yaml --out "$out/seed" > /dev/null
"$bin" train Examples/digits/digits.yaml --out "$out/digits" > /dev/null
"$bin" report "$out/seed" --out "$out/seed.html"
"$bin" report "$out/digits" --out "$out/train.html"

render() {  # render NAME: $out/NAME.html → $pngs/report-NAME.png, Chromium's log in $out/NAME.log
    local name=$1 status=0
    timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
        --user-data-dir="$out/profile-$name" --enable-logging=stderr --v=0 \
        --window-size=1280,2400 --screenshot="$pngs/report-$name.png" "file://$out/$name.html" \
        > "$out/$name.log" 2>&1 || status=$?
    if [ "$status" -ne 0 ]; then
        cat "$out/$name.log" >&2
        echo "report-check: chromium exited $status on the $name report" >&2
        exit 1
    fi
    # A script error reaches the log as "Uncaught …" or a console error; a resource that
    # failed to load as "net::ERR_…" / "Failed to load resource".
    if grep -E 'Uncaught|CONSOLE.*[Ee]rror|console error|net::ERR_|Failed to load resource' "$out/$name.log" >&2; then
        echo "report-check: chromium logged an error on the $name report" >&2
        exit 1
    fi
    python3 - "$pngs/report-$name.png" <<'PY'
import struct, sys, zlib
path = sys.argv[1]
data = open(path, "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: not a PNG"
pos, chunks, idat = 8, {}, b""
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR": chunks["IHDR"] = body
    if kind == b"IDAT": idat += body
    pos += 12 + length
width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks["IHDR"])
assert depth == 8 and colour in (2, 6) and interlace == 0, f"{path}: unexpected PNG format"
bpp = 3 if colour == 2 else 4
raw, stride = zlib.decompress(idat), width * bpp
previous, rows = bytearray(stride), []
for y in range(height):
    kind, row = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    if kind == 1:
        for i in range(bpp, stride): row[i] = (row[i] + row[i - bpp]) & 255
    elif kind == 2:
        for i in range(stride): row[i] = (row[i] + previous[i]) & 255
    elif kind == 3:
        for i in range(stride): row[i] = (row[i] + ((row[i - bpp] if i >= bpp else 0) + previous[i]) // 2) & 255
    elif kind == 4:
        for i in range(stride):
            a, b, c = (row[i - bpp] if i >= bpp else 0), previous[i], (previous[i - bpp] if i >= bpp else 0)
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(row)
    previous = row
# Luminance of every 4th pixel of every 4th row: a blank page has (almost) one value.
values = [sum(r[x:x + 3]) / 3 for r in rows[::4] for x in range(0, stride, 4 * bpp)]
mean = sum(values) / len(values)
variance = sum((v - mean) ** 2 for v in values) / len(values)
background = max(set(values), key=values.count)
inked = sum(1 for v in values if abs(v - background) > 24) / len(values)
print(f"report-check: {path}: {width}x{height}, luminance variance {variance:.0f}, {inked * 100:.1f}% of the page drawn")
assert variance > 100 and inked > 0.02, f"{path}: the page is blank"
PY
}
render seed
render train
echo "report-check: both reports render in Chromium without errors"
