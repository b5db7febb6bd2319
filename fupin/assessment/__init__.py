"""Exit assessment: 贫困村退出 (village exit) and 贫困县摘帽 (county exit), domain.md §4 and §10.

- Registered-poor incidence = current members of households with status ``poor`` inside the
  area ÷ the area's population for the year (``AreaPopulation``; the kind — 农业户籍人口 by
  default, or 农村常住人口 — is a per-area setting). No figure entered: the result is
  "unknown", never a guess; a village page also shows the household file's head count as a
  labelled fallback that decides nothing.
- County gates from the recorded sample (``CountySampling``): 错退率 < 2%, 漏评率 < 2%,
  群众认可度 ≥ 90%; no sample means each gate is "unknown".
- Defaults (2%, 3% in the west, the west list, 2%, 2%, 90%) live in ``rules.py`` only; each
  can be overridden per area by ``AssessmentSetting``, and the nearest setting up the area
  tree wins. 湘西州 (Hunan, not western) enjoyed western policies: give it
  ``incidence_max = 3`` as a setting rather than adding 43 to the west list.
- 综合贫困发生率 is UNCONFIRMED: shown as (未脱贫 + 错退 + 漏评) ÷ denominator with the sample
  counts unextrapolated, labelled as such, and never used as a gate.
"""
