#!/usr/bin/env python3
"""Opens report.html in headless Chromium and checks that every figure drew: each <figure>
has an SVG laid out with a non-zero size, plotted marks (bars or lines) of non-zero area, and
its axis labels and legend. Prints one "ok ..." or "FAIL ..." line per check.

usage: render_check.py REPORT.html EXPECTED_FIGURE_COUNT"""
import json
import os
import re
import subprocess
import sys
import tempfile

PROBE = """<script>
window.addEventListener('load', () => {
  const out = [];
  document.querySelectorAll('figure').forEach(f => {
    const svg = f.querySelector('svg');
    const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
    let marks = 0;
    if (svg) svg.querySelectorAll('rect, polyline').forEach((e, i) => {
      if (e.parentNode === svg && i === 0 && e.tagName === 'rect') return;  // the background
      const b = e.getBBox();
      if (b.width > 0 && b.height > 0) marks++;
    });
    out.push({id: f.id, width: box.width, height: box.height, marks: marks,
              texts: svg ? svg.querySelectorAll('text').length : 0,
              caption: (f.querySelector('figcaption') || {}).textContent || ''});
  });
  const pre = document.createElement('pre');
  pre.id = 'render-check';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""


def main():
    report, expected = sys.argv[1], int(sys.argv[2])
    html = open(report, encoding="utf-8").read()
    with tempfile.TemporaryDirectory() as tmp:
        page = os.path.join(tmp, "probe.html")
        open(page, "w", encoding="utf-8").write(html.replace("</body>", PROBE + "</body>"))
        cmd = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--user-data-dir=" + os.path.join(tmp, "profile"),
               "--virtual-time-budget=5000", "--dump-dom", "file://" + page]
        dom = subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout
    m = re.search(r'<pre id="render-check">(.*?)</pre>', dom, re.S)
    if not m:
        print("FAIL chromium rendered the report and ran the probe")
        return
    print("ok chromium rendered the report and ran the probe")
    figures = json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    print(("ok" if len(figures) == expected else "FAIL") +
          " report has %d figures (expected %d)" % (len(figures), expected))
    for f in figures:
        drew = f["width"] > 300 and f["height"] > 100 and f["marks"] > 0 and f["texts"] >= 4
        print(("ok" if drew else "FAIL") + " figure %s drew: %dx%d, %d marks, %d labels" %
              (f["id"], f["width"], f["height"], f["marks"], f["texts"]))


if __name__ == "__main__":
    main()
