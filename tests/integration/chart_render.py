#!/usr/bin/env python3
"""Renders a chart written by `clientip metrics --svg` in headless Chromium
and reads its lines back from the pixels.

    chart_render.py CHART.svg PNG_OUT

Prints one line per drawn series, "LABEL FIRST LAST": the level, in percent
of the y axis, at which the series' colour is seen in the first and in the
last tenth of the plot area ("-" where it is not seen at all). The geometry
(where 0 % and 100 % are, where the plot starts and ends) and each series'
colour come from the SVG itself, so the check follows the layout; the
levels come only from what Chromium painted.

Exit status: 0, or 2 when Chromium or the PNG it wrote cannot be used.
"""
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import zlib


def decode_png(data):
    """RGB(A) pixels of an 8-bit, non-interlaced PNG: (width, height, rows)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, width = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or color not in (2, 6) or interlace:
                raise ValueError("unsupported PNG layout")
            bpp = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
    if width is None:
        raise ValueError("no IHDR")
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return width, height, bpp, rows


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    svg_path, png_path = sys.argv[1], sys.argv[2]
    svg = open(svg_path, encoding="utf-8").read()
    width, height = (int(v) for v in re.search(r'<svg[^>]* width="(\d+)" height="(\d+)"', svg).groups())
    # The gridlines: y of 0 % and 100 %, x extent of the plot.
    grid = [tuple(float(v) for v in m) for m in
            re.findall(r'class="gridline" x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)"', svg)]
    left, right = grid[0][0], grid[0][2]
    y_top, y_bottom = min(g[1] for g in grid), max(g[1] for g in grid)
    series = re.findall(r'<path class="(?:series|average)" data-label="([^"]*)"[^>]* stroke="#([0-9a-f]{6})"', svg)

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("chromium is not installed", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        "--user-data-dir=" + profile, "--screenshot=" + png_path,
                        "--window-size=%d,%d" % (width, height), "file://" + svg_path],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120, check=False)
    try:
        w, h, bpp, rows = decode_png(open(png_path, "rb").read())
    except (OSError, ValueError, zlib.error) as e:
        print("no usable screenshot: %s" % e, file=sys.stderr)
        return 2

    def level(rgb, x0, x1):
        ys = []
        for y in range(int(y_top) - 6, min(int(y_bottom) + 7, h)):
            row = rows[y]
            for x in range(int(x0), min(int(x1), w)):
                px = row[x * bpp:x * bpp + 3]
                if all(abs(px[k] - rgb[k]) <= 24 for k in range(3)):
                    ys.append(y)
        if not ys:
            return "-"
        return "%.0f" % ((y_bottom - statistics.median(ys)) / (y_bottom - y_top) * 100)

    tenth = (right - left) / 10
    for label, color in series:
        rgb = bytes.fromhex(color)
        print(label, level(rgb, left + 2, left + tenth), level(rgb, right - tenth, right - 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
