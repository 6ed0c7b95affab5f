"""Chargeable weight: worked examples computed by hand (DOMAIN.md, "Chargeable weight")."""

from __future__ import annotations

from tradelane.logistics.rates import chargeable as rating
from tradelane.logistics.rates.chargeable import chargeable_weight
from tradelane.logistics.rates.descriptions import MEASURE_SUM, MODE_HALF, MODE_NONE_UP_TO_SIZE
from tradelane.logistics.tests.factories import courier, weight


def test_courier_volumetric_5000_rounded_to_half_kg():
    # actual 1.67 kg; 40 x 30 x 20 cm = 24,000 cm3 / 5000 = 4.8 kg volumetric > actual;
    # below 21 kg the step is 0.5 kg: 4.8 -> 5.0 kg
    cw = chargeable_weight(courier(), 1670, (400, 300, 200))
    assert cw.volumetric_g == 4800
    assert cw.volumetric == rating.VOL_FULL
    assert cw.basis_g == 4800
    assert cw.step_g == 500
    assert cw.chargeable_g == 5000
    text = "\n".join(cw.explain())
    assert "40 × 30 × 20 cm" in text and "/ 5000" in text and "4.800 kg" in text
    assert "chargeable weight 5.000 kg" in text


def test_half_kg_steps_below_21kg_whole_kg_from_21kg():
    # 1.67 kg, no dimensions -> 2.0 kg (next 0.5 kg)
    assert chargeable_weight(courier(), 1670, (0, 0, 0)).chargeable_g == 2000
    # 20.7 kg is below 21 kg: 0.5 kg steps -> 21.0 kg
    assert chargeable_weight(courier(), 20700, (0, 0, 0)).chargeable_g == 21000
    # 21.3 kg: whole kg from 21 kg -> 22 kg
    cw = chargeable_weight(courier(), 21300, (0, 0, 0))
    assert (cw.step_g, cw.chargeable_g) == (1000, 22000)
    # exactly 21 kg stays 21 kg; exactly 2.0 kg stays 2.0 kg
    assert chargeable_weight(courier(), 21000, (0, 0, 0)).chargeable_g == 21000
    assert chargeable_weight(courier(), 2000, (0, 0, 0)).chargeable_g == 2000


def test_each_side_rounded_up_to_whole_cm_first():
    # 401 x 301 x 201 mm -> 41 x 31 x 21 cm = 26,691 cm3 / 5000 = 5.3382 kg -> 5,339 g
    # (grams rounded up) -> 5.5 kg at 0.5 kg steps. Unrounded sides would give 4.85 kg -> 5.0.
    cw = chargeable_weight(courier(), 1000, (401, 301, 201))
    assert cw.dims_cm == (41, 31, 21)
    assert cw.volumetric_g == 5339
    assert cw.chargeable_g == 5500


def test_ems_divisor_8000_only_when_a_side_exceeds_60_cm():
    ems = weight(divisor=8000, min_side_mm=600, step_g=500)
    # 60 x 50 x 40 cm, 2 kg: no side exceeds 60 cm -> actual 2.0 kg
    # (volumetric would be 120,000 / 8000 = 15 kg)
    cw = chargeable_weight(ems, 2000, (600, 500, 400))
    assert cw.volumetric == rating.VOL_SIDE_NOT_OVER
    assert cw.chargeable_g == 2000
    # 60.5 cm -> 61 cm: 61 x 50 x 40 = 122,000 / 8000 = 15.25 kg -> 15.5 kg
    cw = chargeable_weight(ems, 2000, (605, 500, 400))
    assert cw.volumetric_g == 15250
    assert cw.chargeable_g == 15500


def test_half_volumetric():
    half = weight(divisor=6000, mode=MODE_HALF, step_g=500)
    # 2 kg actual, 50 x 40 x 30 cm = 60,000 / 6000 = 10 kg; (2 + 10) / 2 = 6 kg
    cw = chargeable_weight(half, 2000, (500, 400, 300))
    assert (cw.volumetric_g, cw.volumetric, cw.chargeable_g) == (10000, rating.VOL_HALF, 6000)
    assert "half volumetric" in "\n".join(cw.explain())
    # volumetric below actual: the actual weight (8 kg actual, 10 kg volumetric -> 9 kg;
    # 12 kg actual -> 12 kg)
    assert chargeable_weight(half, 8000, (500, 400, 300)).chargeable_g == 9000
    cw = chargeable_weight(half, 12000, (500, 400, 300))
    assert (cw.volumetric, cw.chargeable_g) == (rating.VOL_BELOW_ACTUAL, 12000)


def test_no_volumetric_up_to_a_size():
    free = weight(divisor=6000, mode=MODE_NONE_UP_TO_SIZE, free_limit_mm=600, step_g=100)
    # longest side 50 cm <= 60 cm: actual 2.0 kg although volumetric is 10 kg
    cw = chargeable_weight(free, 2000, (500, 400, 300))
    assert (cw.volumetric, cw.chargeable_g) == (rating.VOL_WITHIN_FREE_SIZE, 2000)
    # 70 x 40 x 30 = 84,000 / 6000 = 14 kg: over the size, full volumetric
    assert chargeable_weight(free, 2000, (700, 400, 300)).chargeable_g == 14000
    # measured as the sum of sides: 50 + 40 + 30 = 120 cm > 90 cm -> volumetric 10 kg
    by_sum = weight(
        divisor=6000, mode=MODE_NONE_UP_TO_SIZE, free_limit_mm=900, free_measure=MEASURE_SUM
    )
    assert chargeable_weight(by_sum, 2000, (500, 400, 300)).chargeable_g == 10000
    assert chargeable_weight(by_sum, 2000, (300, 300, 300)).chargeable_g == 2000


def test_minimum_chargeable_weight_then_step():
    postal = weight(min_g=50)
    # 30 g -> minimum 50 g, steps of 1 g
    cw = chargeable_weight(postal, 30, (0, 0, 0))
    assert cw.minimum_applied and cw.chargeable_g == 50
    assert "minimum chargeable weight 0.050 kg applied" in cw.explain()
    # 120 g is above the minimum
    assert chargeable_weight(postal, 120, (0, 0, 0)).chargeable_g == 120
    # courier minimum 0.5 kg: 0.1 kg -> 0.5 kg
    assert chargeable_weight(courier(min_g=500), 100, (0, 0, 0)).chargeable_g == 500


def test_volumetric_below_actual_and_no_divisor_and_missing_dimensions():
    # 10 x 10 x 10 cm = 1000 / 5000 = 0.2 kg < 1.67 kg actual
    cw = chargeable_weight(courier(), 1670, (100, 100, 100))
    assert (cw.volumetric_g, cw.volumetric, cw.chargeable_g) == (200, rating.VOL_BELOW_ACTUAL, 2000)
    assert chargeable_weight(weight(), 1670, (400, 300, 200)).volumetric == rating.VOL_NO_DIVISOR
    # one side missing: no volumetric weight
    cw = chargeable_weight(courier(), 1670, (400, 300, 0))
    assert (cw.volumetric, cw.chargeable_g) == (rating.VOL_NO_DIMENSIONS, 2000)


def test_dimension_order_does_not_matter():
    a = chargeable_weight(courier(), 1000, (200, 400, 300))
    b = chargeable_weight(courier(), 1000, (400, 300, 200))
    assert a == b
