"""Chinese names for the demo county: the clans of 花垣县 and given names that follow the era.

花垣 is about three quarters Miao (苗族), most of the rest Tujia (土家族), with some Han. Miao
clans there carry the surnames 石 龙 麻 吴 杨 施 时 隆 廖 欧 …; Tujia families 彭 田 向 …; and a
village is usually held by two or three clans, so each village draws most heads from a few names.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

MIAO = "苗族"
TUJIA = "土家族"
HAN = "汉族"

# (surname, weight) per ethnicity; weights are rough shares, not census figures.
SURNAMES: dict[str, list[tuple[str, int]]] = {
    MIAO: [
        ("石", 20),
        ("龙", 16),
        ("麻", 12),
        ("吴", 12),
        ("杨", 10),
        ("施", 6),
        ("时", 5),
        ("隆", 5),
        ("廖", 3),
        ("欧", 3),
        ("梁", 3),
        ("滕", 3),
        ("张", 2),
    ],
    TUJIA: [
        ("彭", 20),
        ("田", 20),
        ("向", 15),
        ("张", 10),
        ("王", 8),
        ("李", 8),
        ("黄", 5),
        ("刘", 5),
        ("杨", 5),
        ("覃", 4),
    ],
    HAN: [
        ("张", 15),
        ("王", 14),
        ("李", 14),
        ("刘", 12),
        ("陈", 10),
        ("杨", 9),
        ("黄", 8),
        ("周", 7),
        ("吴", 6),
        ("胡", 5),
    ],
}

# Given-name characters by gender and birth era: older people carry the names of their time.
_GIVEN: dict[tuple[str, int], str] = {
    ("m", 0): "金银富贵生成明清光福宝德才长顺兴发林山保海国华忠正开树",
    ("m", 1): "军勇伟强斌华平刚建志文云红兵峰涛林波东成飞鹏辉亮胜永",
    ("m", 2): "浩宇杰俊鑫磊超博轩睿泽晨子豪宏凯毅航铭哲一阳宁乐",
    ("f", 0): "秀英花妹兰珍凤莲桂玉翠梅香满银金春仙娥姣",
    ("f", 1): "丽红艳芳燕霞玲娟萍敏琴群慧梅春菊平美雪",
    ("f", 2): "婷欣怡雪佳琪倩静悦思雨梓萱涵颖诗雅月瑶彤",
}


def era(birth_year: int) -> int:
    return 0 if birth_year < 1965 else 1 if birth_year < 1990 else 2


def pick_surname(rng: random.Random, ethnicity: str) -> str:
    names, weights = zip(*SURNAMES[ethnicity], strict=True)
    return rng.choices(names, weights=weights)[0]


def village_clans(rng: random.Random, ethnicity: str, count: int = 3) -> list[str]:
    clans: list[str] = []
    while len(clans) < count:
        name = pick_surname(rng, ethnicity)
        if name not in clans:
            clans.append(name)
    return clans


def given_name(rng: random.Random, gender: str, birth_year: int, generation_char: str = "") -> str:
    """One or two characters; siblings may share a generation character (字辈)."""
    chars: Sequence[str] = _GIVEN[(gender, era(birth_year))]
    if generation_char:
        last = rng.choice(chars)
        return generation_char + (last if last != generation_char else rng.choice(chars))
    if rng.random() < 0.2:
        return rng.choice(chars)
    first, second = rng.sample(chars, 2)
    return first + second


def generation_char(rng: random.Random, birth_year: int) -> str:
    return rng.choice(_GIVEN[("m", era(birth_year))])
