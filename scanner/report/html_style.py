"""The HTML report's inline stylesheet: system fonts only, no url(), no @import, so nothing is fetched."""

from __future__ import annotations

CSS = """
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#f6f8fa; --accent:#0969da; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color:var(--fg);
  background:#fff; }
main { max-width:1100px; margin:0 auto; padding:24px; }
h1 { margin:0 0 4px; font-size:26px; }
h2 { margin:32px 0 12px; padding-bottom:4px; border-bottom:1px solid var(--line); font-size:20px; }
h3 { margin:16px 0 8px; font-size:15px; }
h4 { margin:12px 0 4px; font-size:14px; }
code { font:12px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; background:var(--bg);
  padding:1px 4px; border-radius:4px; word-break:break-all; }
.meta { color:var(--muted); margin:0; }
.verdict { font-size:16px; font-weight:600; }
.cards { display:flex; flex-wrap:wrap; gap:12px; }
.card { border:1px solid var(--line); border-radius:8px; padding:10px 16px; min-width:110px;
  background:var(--bg); }
.card b { display:block; font-size:24px; }
.card span { color:var(--muted); }
.grid { display:grid; grid-template-columns:repeat(auto-fit, minmax(260px, 1fr)); gap:16px; }
table { border-collapse:collapse; width:100%; margin:8px 0; }
th, td { border:1px solid var(--line); padding:5px 8px; text-align:left; vertical-align:top; }
th { background:var(--bg); }
td.num { text-align:right; font-variant-numeric:tabular-nums; }
.sev { display:inline-block; padding:0 8px; border-radius:10px; color:#fff; font-size:12px; font-weight:600;
  text-transform:uppercase; }
.sev-critical { background:#a40e26; } .sev-high { background:#d1242f; } .sev-medium { background:#9a6700; }
.sev-low { background:#0969da; } .sev-info { background:#59636e; }
.state { font-weight:600; } .state-active { color:#d1242f; } .state-not-checked { color:var(--muted); }
.alert { color:#d1242f; font-weight:600; }
.bars { margin:8px 0 16px; }
.bar { display:flex; align-items:center; gap:8px; margin:3px 0; }
.bar .label { width:110px; color:var(--muted); font-variant-numeric:tabular-nums; }
.bar .fill { height:14px; background:#d1242f; border-radius:3px; }
.finding { border:1px solid var(--line); border-radius:8px; padding:4px 16px 12px; margin:12px 0; }
small { color:var(--muted); font-weight:normal; }
dl { display:grid; grid-template-columns:140px 1fr; gap:4px 12px; margin:8px 0; }
dt { color:var(--muted); }
dd { margin:0; }
.fix { background:#fff8c5; border:1px solid #d4a72c66; border-radius:6px; padding:4px 12px; }
.fix ol { margin:4px 0; padding-left:20px; }
.empty { color:var(--muted); font-style:italic; }
@media print { main { max-width:none; } .finding { break-inside:avoid; } }
"""
