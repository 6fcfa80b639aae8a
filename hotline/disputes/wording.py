"""The ledger's figures in the department's words: the report's sentence in Chinese and English, and the lines of
its figures table (Chinese / English, as the department's report prints them)."""
from __future__ import annotations

from hotline.services.dispute_figures import LEVELS, LedgerFigures
from hotline.services.statistics import approximately, approximately_zh
from hotline.vocab import REPORT_LEVELS

# The sentence's prevented risks, in the department's order and words; domestic violence only when there was one.
PREVENTED_ZH = (("suicide", "有效防止民间纠纷引发的自杀{n}起"), ("civil_to_criminal", "防止“民转刑”案件{n}件"),
                ("group_petition", "防止群体性上访{n}件"), ("group_fight", "防止群体性械斗{n}件"),
                ("domestic_violence", "防止家庭暴力事件{n}件"))
PREVENTED_EN = (("suicide", "suicide arising from a civil dispute", "suicides arising from civil disputes"),
                ("civil_to_criminal", "civil dispute turning criminal", "civil disputes turning criminal"),
                ("group_petition", "group petition", "group petitions"), ("group_fight", "group fight", "group fights"),
                ("domestic_violence", "domestic violence incident", "domestic violence incidents"))
RISKS_ZH = {"suicide": "自杀", "civil_to_criminal": "“民转刑”", "group_petition": "群体性上访",
            "group_fight": "群体性械斗", "domestic_violence": "家庭暴力"}
RISKS_EN = {kind: plural for kind, _one, plural in PREVENTED_EN}
SOURCES_ZH = {"hotline": "12348热线", "screening": "排查", "walk_in": "来访", "web": "网上", "police": "公安移交",
              "court": "法院移交", "petition": "信访移交", "api": "其他部门系统"}
REPORT_LEVELS_ZH = {"county_bureau": "县级", "city_bureau": "市级", "province_dept": "省级"}
LEVELS_ZH = {"red": "红色", "orange": "橙色", "yellow": "黄色", "blue": "蓝色"}


def rate(share: float | None) -> str:
    """A rate as the department writes it: 99%."""
    return f"{round(100 * share)}%" if share is not None else "—"


def _shown(kind: str, figures: LedgerFigures) -> bool:
    return kind != "domestic_violence" or figures[f"prevented:{kind}"] > 0


def sentence_zh(figures: LedgerFigures) -> str:
    """排查出各类矛盾纠纷2.6万余件，调解纠纷25958件，调解成功25779件，调解成功率99%。有效防止民间纠纷引发的自杀3起，……"""
    f = figures
    prevented = "，".join(words.format(n=f[f"prevented:{kind}"]) for kind, words in PREVENTED_ZH if _shown(kind, f))
    return (f"排查出各类矛盾纠纷{approximately_zh(f['found'])}件，调解纠纷{f['mediated']}件，调解成功{f['succeeded']}件，"
            f"调解成功率{rate(f.success_rate)}。{prevented}。")


def sentence_en(figures: LedgerFigures) -> str:
    """The same sentence in English."""
    f = figures
    parts = [f"{f[f'prevented:{kind}']:,} {one if f[f'prevented:{kind}'] == 1 else many}"
             for kind, one, many in PREVENTED_EN if _shown(kind, f)]
    prevented = ", ".join(parts[:-1]) + " and " + parts[-1]
    return (f"{approximately(f['found'])} disputes of every kind found by screening, {f['mediated']:,} mediated and "
            f"{f['succeeded']:,} mediated successfully, a success rate of {rate(f.success_rate)}. Effectively "
            f"prevented {prevented}.")


def lines(figures: LedgerFigures) -> list[tuple[str, str, str, int]]:
    """(figure key, Chinese, English, count) for every line of the report's ledger table."""
    f = figures
    table = [("found", "排查出矛盾纠纷", "Disputes found", f["found"])]
    table += [(f"found:{source}", f"　其中{SOURCES_ZH[source]}", f"of them from {source_en}",
               f[f"found:{source}"]) for source, source_en in SOURCES_EN.items() if f[f"found:{source}"]]
    table += [("mediated", "调解纠纷", "Disputes mediated", f["mediated"]),
              ("succeeded", "调解成功", "Mediated successfully", f["succeeded"])]
    for kind, zh in RISKS_ZH.items():
        table.append((f"prevented:{kind}", f"防止{zh}（件）", f"Prevented: {RISKS_EN[kind]} (cases)",
                      f[f"prevented:{kind}"]))
        table.append((f"prevented_people:{kind}", f"防止{zh}（涉及人数）", f"Prevented: {RISKS_EN[kind]} (people)",
                      f[f"prevented_people:{kind}"]))
    table += [(f"reported:{level}", f"向{REPORT_LEVELS_ZH[level]}报告", f"Reported to the {REPORT_EN[level]}",
               f[f"reported:{level}"]) for level in REPORT_LEVELS]
    table += [("committees", "分派的调委会（个）", "Committees disputes were dispatched to", f["committees"]),
              ("committees_county", "　其中县级及以上", "of them at county level or above", f["committees_county"]),
              ("open", "期末在办纠纷", "Open at the end of the period", f["open"])]
    table += [(f"open:{level}", f"　其中{LEVELS_ZH[level]}风险", f"of them {level}", f[f"open:{level}"])
              for level in LEVELS]
    table += [("breached", "超期未办（次）", "Deadlines breached", f["breached"]),
              ("follow_ups_due", "应回访", "Follow-up visits due", f["follow_ups_due"]),
              ("follow_ups_on_time", "按期回访", "Follow-up visits on time", f["follow_ups_on_time"])]
    return table


SOURCES_EN = {"hotline": "the 12348 hotline", "screening": "screening", "walk_in": "walk-ins", "web": "the web",
              "police": "the police", "court": "courts", "petition": "petition offices", "api": "other agencies' systems"}
REPORT_EN = {"county_bureau": "county", "city_bureau": "city", "province_dept": "province"}
