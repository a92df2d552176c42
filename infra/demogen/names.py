"""Invented people: Chinese names from generic syllables, ID numbers, phone numbers.

No list here comes from real people: common surnames and ordinary given-name
characters, combined at random. ID numbers follow GB 11643-1999 (region, birth date,
sequence whose parity is the gender, check digit) and are invented.
"""

from __future__ import annotations

import numpy as np

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
                "蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江")
GIVEN_BOY = list("浩宇轩子杰俊博文泽明睿涛鑫磊鹏伟豪晨阳建林志强勇斌")
GIVEN_GIRL = list("欣怡雨涵梓萱诗琪悦佳婷雪晶丽玲芳慧敏静雯娜瑶嘉妍")
GIVEN_ANY = list("一思可以安小新天书心")
_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_CHECK = np.array(list("10X98765432"))


def names(rng: np.random.Generator, male: np.ndarray,
          surname: np.ndarray | None = None) -> np.ndarray:
    """A name per person; one or two given characters, picked by gender.

    ``surname`` (indices into SURNAMES) keeps a family's surname when given.
    """
    n = male.size
    sur = rng.integers(0, len(SURNAMES), n) if surname is None else surname
    pool_m, pool_f = np.array(GIVEN_BOY + GIVEN_ANY), np.array(GIVEN_GIRL + GIVEN_ANY)
    first = np.where(male, pool_m[rng.integers(0, len(pool_m), n)],
                     pool_f[rng.integers(0, len(pool_f), n)])
    second = np.where(male, pool_m[rng.integers(0, len(pool_m), n)],
                      pool_f[rng.integers(0, len(pool_f), n)])
    two = rng.random(n) < 0.75
    given = np.char.add(first, np.where(two, second, ""))
    return np.char.add(np.array(SURNAMES)[sur], given)


def check_digits(body17: np.ndarray) -> np.ndarray:
    """GB 11643-1999 check characters for an array of 17-digit strings."""
    return _check(body17.astype(np.int64))


def _check(body: np.ndarray) -> np.ndarray:
    """Check characters of 17-digit bodies held as int64 (weights from the left)."""
    powers = 10 ** np.arange(16, -1, -1, dtype=np.int64)
    digits = (body[:, None] // powers) % 10
    return _CHECK[(digits @ _WEIGHTS) % 11]


def id_numbers(region: str, birth: np.ndarray, male: np.ndarray) -> np.ndarray:
    """18-character resident ID numbers, unique within the batch.

    ``birth`` is datetime64[D]; the 3-digit sequence is odd for males and even for
    females and counts up among people of the same birth date and gender. Built as
    integers (region · 10¹¹ + yyyymmdd · 10³ + sequence), turned into text once.
    """
    birth = birth.astype("datetime64[D]")
    key = birth.astype(np.int64) * 2 + male.astype(np.int64)
    order = np.argsort(key, kind="stable")
    starts = np.r_[0, np.flatnonzero(np.diff(key[order])) + 1]
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size) - np.repeat(starts, np.diff(np.r_[starts, order.size]))
    if rank.max(initial=0) >= 499:
        raise ValueError("more than 499 people share a birth date and gender")
    y = birth.astype("datetime64[Y]")
    m = birth.astype("datetime64[M]")
    ymd = ((y.astype(np.int64) + 1970) * 10_000 + (m - y).astype(np.int64) * 100 + 100
           + (birth - m).astype(np.int64) + 1)
    body = int(region) * 10**11 + ymd * 1000 + 2 * rank + np.where(male, 1, 2)
    return np.char.add(body.astype(str), _check(body))


def phones(rng: np.random.Generator, n: int) -> np.ndarray:
    """Invented 11-digit mobile numbers (1[3-9]x xxxx xxxx)."""
    head = rng.integers(13, 20, n).astype(str)
    tail = np.char.zfill(rng.integers(0, 10**9, n).astype(str), 9)
    return np.char.add(head, tail)
