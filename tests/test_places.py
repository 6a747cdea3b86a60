"""Township names read the same everywhere: English where the township has an English name,
Chinese otherwise, never "nan" or "None", and the county's own name for the whole county."""

import numpy as np
import pandas as pd

from dashboard import places

TOWNS = pd.DataFrame(
    {
        "township_id": ["T01", "T02", "T03"],
        "name": ["勐马镇", "公信乡", None],
        "name_en": ["Mengma", None, np.nan],
    }
)


def test_names_in_the_readers_language():
    assert places.township_names(TOWNS, "zh") == {"T01": "勐马镇", "T02": "公信乡", "T03": "—"}
    assert places.township_names(TOWNS, "en") == {"T01": "Mengma", "T02": "公信乡", "T03": "—"}
    assert places.township_names(TOWNS.drop(columns="name_en"), "en")["T01"] == "勐马镇"


def test_one_township_or_the_county():
    assert places.township_name(TOWNS, "T01", "en") == "Mengma"
    assert places.township_name(TOWNS, None, "zh") == "全县"
    assert places.township_name(TOWNS, None, "en") == "Whole county"
    assert places.township_name(TOWNS, "T99", "zh") == "T99"
