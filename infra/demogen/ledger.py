"""The station's children ledger (台账) in the columns the registry imports."""

from __future__ import annotations

import re
import zipfile
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from infra.demogen import names as nm
from infra.demogen.geography import Geography
from infra.demogen.people import LABELS, MALE_CARERS, REGION
from infra.demogen.places import Township

HEADERS = ("姓名", "性别", "出生日期", "身份证号", "监护人", "与儿童关系", "家庭住址", "所在村",
           "联系电话", "就读学校", "困境类型", "经度", "纬度", "村代码", "父母外出", "监护人年龄")
FIXED_TIME = datetime(2024, 1, 1)
_ZIP_TIME = (2024, 1, 1, 0, 0, 0)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _guardian_ages(rng: np.random.Generator, kids: pd.DataFrame) -> np.ndarray:
    carer = kids["carer"].to_numpy()
    eldest = kids.groupby("home")["age_y"].transform("max").to_numpy()
    grand = np.isin(carer, ["祖父", "祖母", "外祖父", "外祖母"])
    parent = np.isin(carer, ["父亲", "母亲"])
    age = np.where(grand, rng.integers(56, 81, len(kids)), rng.integers(30, 63, len(kids)))
    return np.where(parent, eldest + rng.integers(22, 35, len(kids)), age)


def _schools(kids: pd.DataFrame, geo: Geography) -> np.ndarray:
    """Kindergarten, village primary school (or the central one), middle school."""
    names = np.array([*geo.school_names, "", "綦江区职业教育中心"], dtype=object)
    village_school = np.full(len(geo.villages), 1)
    for i, v in enumerate(geo.school_village[3:], start=3):
        village_school[v] = i
    age = kids["age_y"].to_numpy()
    pick = np.select([age < 3, age < 6, age < 12, age < 16],
                     [len(names) - 2, 0, village_school[kids["village"].to_numpy()], 2],
                     default=len(names) - 1)
    out_of_school = np.array(["out_of_school" in c for c in kids["categories"]])
    return names[np.where(out_of_school, len(names) - 2, pick)]


def table(rng: np.random.Generator, kids: pd.DataFrame, township: Township, geo: Geography,
          lonlat: np.ndarray) -> pd.DataFrame:
    """Ledger rows for one township; ``lonlat`` is each child's home, WGS 84 degrees."""
    village = kids["village"].to_numpy()
    v_names = np.array([v.name for v in township.villages], dtype=object)
    v_codes = np.array([v.code for v in township.villages], dtype=object)
    male, birth = kids["male"].to_numpy(), kids["birth"].to_numpy()
    ids = nm.id_numbers(REGION, birth, male).astype(object)
    ids[np.array(["unregistered" in c for c in kids["categories"]])] = ""
    carer = kids["carer"].to_numpy()
    alone = kids["alone"].to_numpy()
    n, homes = len(kids), kids["home"].to_numpy()
    carer_male = np.isin(carer, list(MALE_CARERS)) | ((carer == "其他亲属") & (rng.random(n) < 0.5))
    surname = np.where(np.isin(carer, ["祖父", "父亲"]), kids["surname"].to_numpy(),
                       rng.integers(0, len(nm.SURNAMES), n))
    guardian = nm.names(rng, carer_male, surname).astype(object)
    group = rng.integers(1, 9, homes.max() + 1)[homes]
    number = rng.integers(1, 121, homes.max() + 1)[homes]
    address = [f"重庆市綦江区{township.name}{v}{g}组{k}号"
               for v, g, k in zip(v_names[village], group, number, strict=True)]
    g_age = _guardian_ages(rng, kids).astype(object)
    return pd.DataFrame({
        "姓名": kids["name"].to_numpy(), "性别": np.where(male, "男", "女"),
        "出生日期": np.datetime_as_string(birth, unit="D"), "身份证号": ids,
        "监护人": np.where(alone, "无", guardian), "与儿童关系": carer,
        "家庭住址": address, "所在村": v_names[village],
        "联系电话": nm.phones(rng, homes.max() + 1)[homes],
        "就读学校": _schools(kids, geo),
        "困境类型": ["、".join(LABELS[c] for c in cats) for cats in kids["categories"]],
        "经度": np.round(lonlat[:, 0], 6), "纬度": np.round(lonlat[:, 1], 6),
        "村代码": v_codes[village],
        "父母外出": _parents_away(kids["situation"].to_numpy()),
        "监护人年龄": np.where(alone, "", g_age),
    }, columns=list(HEADERS))


def _parents_away(situation: np.ndarray) -> np.ndarray:
    """是 when both parents work away, 否 when both are at home (or dead), blank when one
    is away: the ledger's yes/no column cannot say more, and blank means "see the file"."""
    return np.select([situation == "both_away", situation == "one_away"], ["是", ""],
                     default="否")


def write_xlsx(rows: pd.DataFrame, path: Path) -> None:
    """Write one ledger as XLSX, byte-for-byte reproducible (fixed times inside the zip)."""
    wb = Workbook(write_only=True)
    wb.properties.created = wb.properties.modified = FIXED_TIME
    ws = wb.create_sheet("儿童台账")
    ws.append(list(HEADERS))
    for row in rows.itertuples(index=False, name=None):
        ws.append(row)
    tmp = path.with_suffix(".tmp")
    wb.save(tmp)
    _normalise_zip(tmp, path)
    tmp.unlink()


def _normalise_zip(src: Path, dst: Path) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            data = zin.read(item.filename)
            if item.filename == "docProps/core.xml":  # openpyxl stamps "modified" on save
                data = _MODIFIED.sub(rb"\g<1>2024-01-01T00:00:00Z\g<2>", data)
            zout.writestr(info, data)
