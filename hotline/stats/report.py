"""The department's periodic report: the usual sentences in Chinese and English, the figures behind them, and a PDF."""
from __future__ import annotations

import io
from dataclasses import dataclass

from hotline.disputes import wording
from hotline.models import City
from hotline.services.dispute_figures import LedgerFigures
from hotline.services.statistics import Figures, Filters, approximately_zh

_rate = wording.rate


@dataclass
class Report:
    """One period's report for a city or the whole province."""

    filters: Filters
    found: Figures
    city: City | None
    projects: object | None = None  # project_stats.ProjectFigures: the key projects served
    ledger: LedgerFigures | None = None  # the dispute ledger's figures (published ones when the period is published)

    @property
    def where_zh(self) -> str:
        """The area covered, in Chinese."""
        return self.city.name_zh if self.city else "全省"

    @property
    def where_en(self) -> str:
        """The area covered, in English."""
        return self.city.name_en if self.city else "the province"

    @property
    def period(self) -> str:
        """The period as first to last day."""
        return f"{self.filters.first:%Y-%m-%d} – {self.filters.last:%Y-%m-%d}"

    def sentence_zh(self) -> str:
        """The report's sentence in the department's usual Chinese form."""
        f = self.found
        satisfaction = f"，服务满意度{f.satisfaction:.1f}分（满分5分，{f.ratings}人评价）" if f.satisfaction is not None else ""
        # the department's style: totals above ten thousand as 2.6万余, other counts exact and without separators;
        # disputes and the risks prevented are the ledger's (ledger_zh), counted from its entries' histories
        return (f"{self.period}，{self.where_zh}12348法律服务热线共受理来电来访{approximately_zh(f.contacts)}件，"
                f"接听电话{f.answered}个，接通率{_rate(f.answer_rate)}{satisfaction}{self._projects_zh()}。")

    def ledger_zh(self) -> str:
        """The ledger's sentence in the department's words: 排查出各类矛盾纠纷2.6万余件，调解纠纷25958件，……"""
        return f"{self.period}，{self.where_zh}{wording.sentence_zh(self.ledger)}" if self.ledger else ""

    def ledger_en(self) -> str:
        """The same in English."""
        return f"{self.period}, {self.where_en}: {wording.sentence_en(self.ledger)}" if self.ledger else ""

    def _projects_zh(self) -> str:
        p = self.projects
        if p is None:
            return ""
        return f"；自贸区律师服务团服务重点项目{p.served}个（共{p.total}个），服务{round(p.hours)}小时"

    def _projects_en(self) -> str:
        p = self.projects
        if p is None:
            return ""
        return f"; the FTZ lawyer team served {p.served:,} of {p.total:,} key projects, {round(p.hours):,} hours"

    def sentence_en(self) -> str:
        """The same sentence in English."""
        f = self.found
        satisfaction = (f"; satisfaction {f.satisfaction:.1f} out of 5 ({f.ratings:,} ratings)"
                        if f.satisfaction is not None else "")
        return (f"{self.period}, 12348 hotline, {self.where_en}: {f.contacts:,} contacts received and {f.answered:,} calls "
                f"answered (answer rate {_rate(f.answer_rate)}){satisfaction}{self._projects_en()}.")

    def lines(self) -> list[tuple[str, str, str, int]]:
        """(figure key, Chinese, English, count) for the figures table, each traceable to its records."""
        f = self.found
        table = [("contacts", "受理来电来访", "Contacts received", f.contacts),
                 ("answered", "接听电话", "Calls answered", f.answered)]
        table.append(("ratings", "满意度评价", "Satisfaction ratings", f.ratings))
        if self.projects is not None:
            table.append(("project_services", "服务重点项目（次）", "Services to key projects", self.projects.services))
        return table


def pdf(report: Report) -> bytes:
    """The report as an A4 PDF, Chinese set in the standard Song CID font (no font file needed)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    title = ParagraphStyle("title", fontName="STSong-Light", fontSize=16, leading=22, spaceAfter=8)
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=11, leading=18, spaceAfter=6)
    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=A4, title=f"12348 report {report.period}", author="12348")
    table = Table([["项目 / Figure", "件数 / Count"]] + [[f"{zh} / {en}", f"{count:,}"] for _k, zh, en, count in report.lines()],
                  colWidths=[330, 120])
    style = TableStyle([("FONTNAME", (0, 0), (-1, -1), "STSong-Light"), ("FONTSIZE", (0, 0), (-1, -1), 10),
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)])
    table.setStyle(style)
    story = [
        Paragraph(f"{report.where_zh}12348公共法律服务工作情况 / 12348 public legal service: {report.where_en}", title),
        Paragraph(report.period, body), Paragraph(report.sentence_zh(), body), Paragraph(report.sentence_en(), body),
        Spacer(1, 12), table,
    ]
    if report.ledger is not None:
        ledger = Table([["矛盾纠纷 / Disputes", "数量 / Count"]]
                       + [[f"{zh.strip()} / {en}", f"{count:,}"] for _k, zh, en, count in wording.lines(report.ledger)],
                       colWidths=[330, 120])
        ledger.setStyle(style)
        story[4:4] = [Paragraph(report.ledger_zh(), body), Paragraph(report.ledger_en(), body)]
        story += [Spacer(1, 12), ledger]
    document.build(story)
    return out.getvalue()
