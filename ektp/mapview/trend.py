"""An area's recording rate over time as a small inline SVG (no script): the line of every
figure, the published (sourced) figures as dots, the target as a dashed line. Pure."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence

W, H = 640, 220
PAD_L, PAD_R, PAD_T, PAD_B = 44, 12, 12, 28
LINE = "#1f5fa8"
TARGET = "#b35806"


def trend_svg(
    points: Sequence[tuple[dt.date, float, bool]],
    target: float | None,
    label: str,
    date_text: callable,
    pct_text: callable,
) -> str:
    """`points`: (date, rate 0–1, is_synthetic) in date order. The y axis spans the figures
    and the target (never wider than 0–100%), so a rise from 60 to 95% fills the box."""
    if len(points) < 2:
        return ""
    d0, d1 = points[0][0].toordinal(), points[-1][0].toordinal()
    values = [p[1] for p in points] + ([target] if target is not None else [])
    lo = max(0.0, min(values) - 0.02)
    hi = min(1.0, max(values) + 0.02)
    lo = min(lo, hi - 0.05)
    span_x, span_y = max(d1 - d0, 1), max(hi - lo, 1e-6)
    iw, ih = W - PAD_L - PAD_R, H - PAD_T - PAD_B

    def x(d: dt.date) -> float:
        return PAD_L + (d.toordinal() - d0) / span_x * iw

    def y(v: float) -> float:
        return PAD_T + (hi - v) / span_y * ih

    line = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v, _ in points)
    parts = [
        f'<line x1="{PAD_L}" y1="{PAD_T + ih}" x2="{W - PAD_R}" y2="{PAD_T + ih}" stroke="#999"/>',
        f'<line x1="{PAD_L}" y1="{PAD_T}" x2="{PAD_L}" y2="{PAD_T + ih}" stroke="#999"/>',
    ]
    for v in (lo, hi):  # the axis's two ends, in the page's number format
        parts.append(
            f'<text x="{PAD_L - 4}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="11">{html.escape(pct_text(v))}</text>'
        )
    parts.append(f'<text x="{PAD_L}" y="{H - 8}" font-size="11">{html.escape(date_text(points[0][0]))}</text>')
    parts.append(
        f'<text x="{W - PAD_R}" y="{H - 8}" text-anchor="end" font-size="11">{html.escape(date_text(points[-1][0]))}</text>'
    )
    if target is not None:
        ty = y(target)
        parts.append(
            f'<line x1="{PAD_L}" y1="{ty:.1f}" x2="{W - PAD_R}" y2="{ty:.1f}" stroke="{TARGET}" stroke-dasharray="5 4"/>'
        )
        parts.append(
            f'<text x="{W - PAD_R}" y="{ty - 4:.1f}" text-anchor="end" font-size="11" fill="{TARGET}">'
            f"{html.escape(pct_text(target))}</text>"
        )
    parts.append(f'<polyline fill="none" stroke="{LINE}" stroke-width="2" points="{line}"/>')
    dots = "".join(f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="3.5"/>' for d, v, synthetic in points if not synthetic)
    if dots:
        parts.append(f'<g fill="#fff" stroke="{LINE}" stroke-width="2">{dots}</g>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" aria-label="{html.escape(label)}" '
        f'font-family="system-ui,sans-serif" fill="#333">{"".join(parts)}</svg>'
    )
