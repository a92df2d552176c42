"""Ledgers kept the way stations keep them, with the outcome each row must get.

Every quirk of issue 12: a merged title and a note above the header, column synonyms,
two sheets, blank rows, a signature footer, a village merged down several rows,
full-width digits and spaces, dates as Excel dates / 2015.3.5 / 2015年3月5日, categories
in one cell, phones with +86, spaces and dashes (and one with a letter O), the parents'
situation in words, GCJ-02 homes, and rows that must be refused. Invented people only.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook

from services.registry.domain.identity import check_character

SHEET_HEADERS = (
    ("姓名", "性别", "出生日期", "身份证号", "所在村", "监护人", "与儿童关系", "联系电话",
     "困境类型", "父母外出务工情况", "经度", "纬度", "坐标系", "备注"),
    ("儿童姓名", "性别", "出生年月", "公民身份号码", "村（社区）", "监护人姓名", "关系",
     "监护人电话", "儿童类型", "父母外出情况", "经度", "纬度", "坐标系", "备注"),
)
TITLE = "綦江区扶欢镇农村留守儿童信息台账（2026年第四季度）"
FOOTER = ("填表人：", "", "审核人：", "", "", "填表日期：")
VILLAGES = ("石足村", "石足", "崇恩村", "东升村村民委员会", "青岩", "扶欢社区")
SURNAMES = "王李张刘陈杨黄赵周吴徐孙"
GIVEN = "雨涵浩然欣怡梓轩桐宇航佳俊杰思远子晨曦嘉乐安宁明轩瑞雪诗琪婉清博文志强天佑可馨"
# (cell, left-behind by rule 1, flagged for the clerk)
PARENTS = (("父母均外出", True, False), ("父亲外出", False, True),
           ("母亲外出，父亲残疾", True, False), ("父母均在家", False, False),
           ("是", True, False), ("母亲外出、父亲去世", True, False))
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass(frozen=True)
class Expected:
    outcome: str  # accept | flag | refuse
    left_behind: bool


def id_number(born: date, male: bool, i: int) -> str:
    """Unique for i < 50,000: the area code's last digits and the sequence carry i."""
    body = f"5001{i // 500 % 100:02d}{born:%Y%m%d}{i % 500 * 2 + (1 if male else 0):03d}"
    return body + check_character(body)


def _row(rng: random.Random, i: int, today: date, as_csv: bool) -> tuple[list, Expected]:
    male = rng.random() < 0.5
    born = date(today.year - rng.randint(3, 14), rng.randint(1, 12), rng.randint(1, 28))
    parents, left, flagged = PARENTS[i % len(PARENTS)]
    if i % 17 == 5:  # 16: not left-behind whatever the parents do, flagged
        born, parents, left, flagged = born.replace(year=today.year - 17), "父母均外出", \
            False, True
    name = (SURNAMES[i % 12] + GIVEN[i // 12 % len(GIVEN)] + GIVEN[i // 480 % len(GIVEN)]
            + ("　" if i % 7 == 0 else ""))
    number = id_number(born, male, i)
    if i % 5 == 0:
        number = number.translate(FULL_WIDTH)  # typed with a Chinese input method
    styles = (born.strftime("%Y.%-m.%-d"), f"{born.year}年{born.month}月{born.day}日",
              born.isoformat(), datetime(born.year, born.month, born.day))
    born_cell = styles[i % (3 if as_csv else 4)]
    tail = i % 10000
    phone = (f"+86 138 0013 {tail:04d}", f"138-0013-{tail:04d}", f"023-4865 {tail:04d}")[i % 3]
    lon, lat = 106.64 + rng.random() * 0.03, 28.94 + rng.random() * 0.03
    cats = ("留守儿童、残疾", "困境儿童,孤儿", "残疾", "")[i % 4]
    outcome = "flag" if flagged else "accept"
    if i % 23 == 0:
        phone, outcome = "138-2O31-5577", "flag"  # a letter O: not a phone
    row = [name, "男" if male else "女", born_cell, number, VILLAGES[i % len(VILLAGES)],
           SURNAMES[(i + 3) % 12] + "奶奶", "祖母", phone, cats, parents,
           round(lon, 6), round(lat, 6), "高德" if i % 4 == 1 else "", ""]
    return row, Expected(outcome, left)


def _refused(i: int, today: date) -> tuple[list, Expected]:
    born = date(today.year - 8, 3, 5)
    number = id_number(born, True, i)
    bad = [
        ["赵错号", "男", "2018.3.5", number[:-1] + ("0" if number[-1] != "0" else "1"),
         "石足村"],
        ["钱无村", "男", born.isoformat(), "", "不存在村"],
        ["孙错日", "女", "2015.13.40", "", "崇恩村"],
        ["", "女", born.isoformat(), "", "崇恩村"],
        ["李未生", "女", date(today.year + 1, 1, 1).isoformat(), "", "东升村"],
    ][i % 5]
    return bad + ["王奶奶", "祖母", "13800138000", "", "父母均外出", 106.65, 28.95, "", ""], \
        Expected("refuse", False)


def rows(n: int, seed: int, today: date, as_csv: bool) -> list[tuple[list, Expected]]:
    """``n`` data rows: about 1 in 12 refused, the rest accepted or flagged."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        out.append(_refused(i, today) if i % 12 == 11 else _row(rng, i, today, as_csv))
    return out


def xlsx(n: int, seed: int = 1, today: date | None = None
         ) -> tuple[bytes, dict[tuple[str, int], Expected]]:
    """A two-sheet workbook: title merged over the header, a note row, blank rows, a
    village merged down three rows, a signature footer."""
    today = today or date.today()
    data = rows(n, seed, today, as_csv=False)
    wb = Workbook()
    wb.remove(wb.active)
    expected: dict[tuple[str, int], Expected] = {}
    halves = (data[: n // 2], data[n // 2:])
    for s, (headers, part) in enumerate(zip(SHEET_HEADERS, halves, strict=True)):
        ws = wb.create_sheet(("石足片区", "其他村")[s])
        ws.append([TITLE])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
        ws.append(["填报单位：扶欢镇未成年人保护工作站"])
        ws.append(list(headers))
        number = 3  # ws.max_row scans every cell: counted here instead
        for k, (row, exp) in enumerate(part):
            if k % 10 == 9:
                ws.append([])
                number += 1
            ws.append(row)
            number += 1
            expected[(ws.title, number)] = exp
        if s == 0 and len(part) >= 3:  # the first three rows' village merged down
            top = 4
            while (ws.title, top) not in expected:
                top += 1
            for k in range(1, 3):  # the merge gives all three the first row's village
                ws.cell(top + k, 5).value = None
            ws.merge_cells(start_row=top, start_column=5, end_row=top + 2, end_column=5)
        ws.append([])
        ws.append(list(FOOTER))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), expected


def gbk_csv(n: int, seed: int = 2, today: date | None = None
            ) -> tuple[bytes, dict[tuple[str, int], Expected]]:
    """One sheet as GBK CSV: title line, header, blank lines, footer."""
    today = today or date.today()
    lines = [[TITLE], list(SHEET_HEADERS[1])]
    expected = {}
    for k, (row, exp) in enumerate(rows(n, seed, today, as_csv=True)):
        if k % 10 == 9:
            lines.append([])
        lines.append([str(c) for c in row])
        expected[("", len(lines))] = exp
    lines += [[], list(FOOTER)]
    buf = io.StringIO()
    csv.writer(buf).writerows(lines)
    return buf.getvalue().encode("gbk"), expected
