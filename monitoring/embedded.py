"""Embedded data: the real UCI station history and a demo year built from it.

The monitor must show something useful before any bureau file is loaded, and the
screens must be exercised by data that behaves like Beijing's (heating-season episodes,
summer ozone, a daily cycle, gaps). So the demo readings are not random numbers: each
hour of the demo year replays the same calendar hour of a real year (2014–2016) at the
two national stations inside Xicheng, scaled down to today's level. Everything the demo
produces is labelled ``DEMO_SOURCE`` by the caller, so it can be removed in one step.

Everything here is deterministic for the same arguments and vectorised: the full demo
year is generated first and only then cut at ``through``, so a later ``through`` extends
the same series instead of producing a different one.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from monitoring import config
from monitoring.targets import POLLUTANTS, Targets

#: Source label of the generated demo readings and road-dust loads.
DEMO_SOURCE = "demo"
#: Source label of the real station history (UCI PRSA files).
HISTORY_SOURCE = "uci-prsa"

#: The CC BY 4.0 attribution the history and everything derived from it must carry.
UCI_ATTRIBUTION = (
    'Station history 2013-03-01 to 2017-02-28 (万寿西宫, 官园): "Beijing Multi-Site '
    'Air-Quality Data", UCI Machine Learning Repository '
    "(https://archive.ics.uci.edu/dataset/501/beijing+multi+site+air+quality+data), "
    "CC BY 4.0. Zhang, S., Guo, B., Dong, A., He, J., Xu, Z. and Chen, S. X. (2017). "
    "Cautionary tales on air-quality improvement in Beijing. Proc. R. Soc. A 473: "
    "20170457. https://doi.org/10.1098/rspa.2017.0457. Demo values are derived "
    "(scaled and perturbed) from these data."
)

#: UCI file stem → the national network's station code.
UCI_STATIONS: dict[str, str] = {"Wanshouxigong": "1001A", "Guanyuan": "1006A"}
_NORTH, _SOUTH = "1006A", "1001A"  # 官园 stands in the north, 万寿西宫 in the south

#: UCI column → project pollutant code.
_UCI_COLUMNS: dict[str, str] = {
    "PM2.5": "pm25",
    "PM10": "pm10",
    "SO2": "so2",
    "NO2": "no2",
    "CO": "co",
    "O3": "o3",
}

#: Historic years the demo may replay (complete calendar years in the UCI files).
HISTORIC_YEARS: tuple[int, ...] = (2014, 2015, 2016)

#: Scale from the 2014–2016 level to today's (PM2.5 is calibrated month by month instead).
_SCALE: dict[str, float] = {"pm10": 0.45, "no2": 0.45, "so2": 0.2, "co": 0.5, "o3": 0.85}

#: District monthly PM2.5 means of the demo year (µg/m³): the shape of Beijing's recent
#: years (heating season and spring high, August–September low); Jan–Nov averages ≈ 30.
_PM25_MONTHLY = np.array([38, 44, 40, 34, 28, 26, 24, 19, 20, 28, 33, 34], dtype=float)

#: Winter episodes: (month, peak-day PM2.5, second day PM2.5 or 0). The district daily
#: mean on the peak day is above 150 (AQI > 200, a heavy-pollution day).
_EPISODES: tuple[tuple[int, float, float], ...] = ((1, 182.0, 156.0), (2, 166.0, 0.0), (12, 161.0, 0.0))
_EPISODE_OTHER_MAX = 135.0  # the other days of an episode stay below heavy
_PM25_DAY_MAX = 115.0  # an ordinary day stays at most lightly polluted (IAQI ≤ 150)
_PM25_HOUR_KNEE = 220.0  # hourly PM2.5 above this is squeezed (top ≈ 320 µg/m³)
_PM10_DAY_MAX = 300.0  # …and no dust day becomes heavy through PM10 (IAQI 200 = 350)
_O3_SOFT_MAX = 250.0  # O3 1-h values are squeezed below this (8-h IAQI 200 = 265)

_DECIMALS: dict[str, int] = {p: (2 if p == "co" else 1) for p in POLLUTANTS}


# -- the real history -----------------------------------------------------------------


def _default_dir() -> Path:
    return config.DATA_DIR / "uci"


def read_station_history(data_dir: Path | None = None) -> pd.DataFrame:
    """Both UCI station files as one long frame ``station, pollutant, label, value``.

    Labels are naive Beijing-local hour-ending labels (the UCI hour is taken as the label
    the network published); CO is converted to mg/m³, the project's unit; missing values
    are dropped, so a row is a measurement.
    """
    folder = Path(data_dir) if data_dir is not None else _default_dir()
    frames: list[pd.DataFrame] = []
    for name, code in UCI_STATIONS.items():
        matches = sorted(folder.glob(f"PRSA_Data_{name}_*.csv"))
        if not matches:
            raise FileNotFoundError(f"no UCI file for {name} in {folder}")
        raw = pd.read_csv(
            matches[0],
            usecols=["year", "month", "day", "hour", *_UCI_COLUMNS],
            na_values=["NA"],
        )
        label = pd.to_datetime(raw[["year", "month", "day", "hour"]])
        wide = raw[list(_UCI_COLUMNS)].rename(columns=_UCI_COLUMNS).astype("float64")
        wide["co"] = wide["co"] / 1000.0
        wide["label"] = label
        long = wide.melt(id_vars="label", var_name="pollutant", value_name="value").dropna(subset=["value"])
        long.insert(0, "station", code)
        frames.append(long)
    out = pd.concat(frames, ignore_index=True)
    out = out[["station", "pollutant", "label", "value"]]
    return out.sort_values(["station", "pollutant", "label"], kind="stable").reset_index(drop=True)


@lru_cache(maxsize=4)
def _default_history_grid(folder: str) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """The default history as a gap-filled grid, cached: the demo asks for it often."""
    return _history_grid(read_station_history(Path(folder)))


def _history_grid(history: pd.DataFrame) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Hourly grid ``(hours, array[station(north, south), pollutant, hour])`` with no gaps.

    Short gaps are interpolated, longer ones taken from the other station (they are 5 km
    apart and strongly correlated), so every demo hour has a real-looking base value.
    """
    labels = pd.DatetimeIndex(history["label"])
    hours = pd.date_range(labels.min(), labels.max(), freq="h")
    wide = history.pivot_table(index="label", columns=["station", "pollutant"], values="value", aggfunc="mean")
    wide.index = pd.DatetimeIndex(wide.index)
    wide = wide.reindex(hours)
    grids = []
    for station in (_NORTH, _SOUTH):
        cols = [(station, p) for p in POLLUTANTS]
        part = wide.reindex(columns=pd.MultiIndex.from_tuples(cols))
        part.columns = list(POLLUTANTS)
        grids.append(part.interpolate(limit=6, limit_area="inside"))
    north, south = grids
    north_f = north.fillna(south)
    south_f = south.fillna(north)
    filled = [g.interpolate(limit_direction="both").ffill().bfill().fillna(0.0) for g in (north_f, south_f)]
    arr = np.stack([g.to_numpy(dtype="float64").T for g in filled])  # (2, P, H)
    return hours, arr


# -- the demo year ------------------------------------------------------------------------


def _year_hours(year: int) -> pd.DatetimeIndex:
    """Every hour-ending label of ``year``: 01-01 01:00 … next 01-01 00:00."""
    return pd.date_range(dt.datetime(year, 1, 1, 1), dt.datetime(year + 1, 1, 1, 0), freq="h")


def _historic_labels(hours: pd.DatetimeIndex, year: int, hist_year: int) -> pd.DatetimeIndex:
    """The same month-day-hour in ``hist_year`` (29 Feb → 28 Feb when it has none)."""
    years = hist_year + (hours.year - year)
    day = hours.day.to_numpy().copy()
    leap = (years % 4 == 0) & ((years % 100 != 0) | (years % 400 == 0))
    day[(hours.month == 2) & (day == 29) & ~np.asarray(leap)] = 28
    parts = pd.DataFrame({"year": years, "month": hours.month, "day": day, "hour": hours.hour})
    return pd.DatetimeIndex(pd.to_datetime(parts))


def _north_weight(row: int) -> float:
    """Share of 官园 (north) in a subdistrict's base series, from its tile row (0 = north)."""
    return float(np.clip(1.0 - (row - 1) / 3.0, 0.0, 1.0))


def _smooth_noise(rng: np.random.Generator, shape: tuple[int, int], window: int) -> np.ndarray:
    """Unit-variance noise correlated over ``window`` hours (a moving sum of white noise)."""
    n_rows, n_hours = shape
    white = rng.standard_normal((n_rows, n_hours + window))
    csum = np.cumsum(white, axis=1)
    moving = csum[:, window:] - csum[:, :-window]
    return moving / np.sqrt(window)


def _solve_month_scales(
    daily: np.ndarray, month: np.ndarray, fixed: np.ndarray, target: np.ndarray, cap: float
) -> np.ndarray:
    """Scale per month so the month's mean of ``min(daily·s, cap)`` (fixed days kept) hits
    its target; bisection over all months at once."""
    lo = np.zeros(12)
    hi = np.full(12, 50.0)
    free = np.isnan(fixed)
    fixed_sum = np.bincount(month[~free], weights=fixed[~free], minlength=12)
    n_days = np.bincount(month, minlength=12).astype(float)
    for _ in range(60):
        mid = (lo + hi) / 2.0
        val = np.minimum(daily * mid[month], cap)
        got = (np.bincount(month[free], weights=val[free], minlength=12) + fixed_sum) / np.maximum(n_days, 1.0)
        too_low = got < target
        lo = np.where(too_low, mid, lo)
        hi = np.where(too_low, hi, mid)
    return (lo + hi) / 2.0


def _episode_days(daily: np.ndarray, month: np.ndarray) -> np.ndarray:
    """District daily PM2.5 of the episode days (NaN elsewhere).

    Each episode is the real most-polluted stretch of its month in the historic year
    (two days of build-up, the peak, a clearing day), rescaled so its peak is heavy.
    """
    fixed = np.full(daily.shape, np.nan)
    n = daily.size
    for ep_month, peak_value, second_value in _EPISODES:
        idx = np.flatnonzero(month == ep_month - 1)
        inner = idx[(idx >= 2) & (idx <= n - 3)]
        if inner.size == 0:
            continue
        stretch = daily[inner - 1] + daily[inner] + daily[inner + 1]  # sustained, not a spike
        centre = int(inner[np.argmax(stretch)])
        peak = centre - 1 + int(np.argmax(daily[centre - 1 : centre + 2]))
        peak = min(max(peak, 2), n - 2)
        window = np.arange(peak - 2, peak + 2)
        scale = peak_value / max(daily[peak], 1e-6)
        values = np.minimum(daily[window] * scale, _EPISODE_OTHER_MAX)
        values[2] = peak_value
        if second_value > 0:
            neighbour = 1 if daily[window[1]] >= daily[window[3]] else 3
            values[neighbour] = second_value
        fixed[window] = values
    return fixed


def demo_readings(
    targets: Targets,
    year: int,
    through: dt.datetime,
    seed: int = 42,
    history: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Hourly demo readings ``subdistrict_code, pollutant, label, value`` for 15 × 6 series.

    From ``year``-01-01 01:00 to ``through`` (inclusive, floored to the hour). Each hour
    replays the same calendar hour of one real year at 官园/万寿西宫 (blended by the
    subdistrict's north–south position), scaled to today's level (district PM2.5 ≈ 30
    µg/m³ over Jan–Nov, with a recent-years monthly shape), with a per-subdistrict offset,
    local noise, 1–2 % missing hours, short days in two subdistricts and three winter
    episodes with heavy-pollution days. One historic year serves the whole district, so
    neighbouring subdistricts share their weather as real ones do.
    """
    if history is None:
        grid_hours, grid = _default_history_grid(str(_default_dir()))
    else:
        grid_hours, grid = _history_grid(history)

    ss = np.random.SeedSequence([int(seed), int(year)])
    r_year, r_offset, r_noise, r_missing, r_short = (np.random.default_rng(s) for s in ss.spawn(5))

    hours = _year_hours(year)
    n_hours = hours.size
    subs = targets.subdistricts
    n_sub = len(subs)
    n_pol = len(POLLUTANTS)
    pi = {p: i for i, p in enumerate(POLLUTANTS)}

    # 1. the real base: same calendar hour of one historic year, blended north/south.
    hist_year = int(r_year.choice(HISTORIC_YEARS))
    pos = grid_hours.get_indexer(_historic_labels(hours, year, hist_year))
    if (pos < 0).any():
        raise ValueError(f"the station history does not cover {hist_year}")
    north = grid[0][:, pos]  # (P, H)
    south = grid[1][:, pos]
    w = np.array([_north_weight(sd.tile[0]) for sd in subs])[:, None, None]
    values = w * north[None] + (1.0 - w) * south[None]  # (S, P, H)

    # 2. per-subdistrict offset (spread ~26–33 µg/m³ year to date) and local noise.
    offsets = r_offset.permutation(np.linspace(0.88, 1.10, n_sub))
    local = np.exp(0.08 * _smooth_noise(r_noise, (n_sub, n_hours), 12) - 0.0032)
    hourly = np.clip(1.0 + 0.05 * r_noise.standard_normal((n_sub, n_pol, n_hours)), 0.7, 1.3)
    exponent = np.array([1.0, 0.5, 0.0, 0.5, 0.0, 0.5])  # pm25 pm10 so2 no2 o3 co
    values = values * offsets[:, None, None] ** exponent[None, :, None]
    values = values * local[:, None, :] * hourly
    for p, factor in _SCALE.items():
        values[:, pi[p]] *= factor
    # an hour above 3× its day's mean (New-Year fireworks in the historic year) would turn
    # into an implausible spike once a day is rescaled below; clip it to that.
    per_day = values.reshape(n_sub, n_pol, -1, 24)  # the hours of a year are whole days
    values = np.minimum(per_day, 3.0 * per_day.mean(axis=-1, keepdims=True)).reshape(values.shape)

    # 3. PM2.5 to today's level, day by day at the district scale (hour-ending days).
    day_of = ((hours - pd.Timedelta(hours=1)).day_of_year - 1).to_numpy()
    n_days = int(day_of.max()) + 1
    day_month = pd.date_range(dt.date(year, 1, 1), periods=n_days, freq="D").month.to_numpy() - 1
    counts = np.bincount(day_of, minlength=n_days)

    def district_daily(series: np.ndarray) -> np.ndarray:
        return np.bincount(day_of, weights=series.mean(axis=0), minlength=n_days) / counts

    d25 = district_daily(values[:, pi["pm25"]])
    fixed = _episode_days(d25, day_month)
    scales = _solve_month_scales(d25, day_month, fixed, _PM25_MONTHLY, _PM25_DAY_MAX)
    normal = np.minimum(d25 * scales[day_month], _PM25_DAY_MAX)
    wanted = np.where(np.isnan(fixed), normal, fixed)
    m25 = wanted / np.maximum(d25, 1e-6)
    values[:, pi["pm25"]] *= m25[day_of]
    # recent heavy days peak near 300 µg/m³ in an hour, not 500: squeeze the top, then
    # restore the episode days' daily means so they stay heavy.
    pm = values[:, pi["pm25"]]
    knee = _PM25_HOUR_KNEE
    pm = np.where(pm > knee, knee + 100.0 * np.tanh((pm - knee) / 100.0), pm)
    restore = np.where(np.isnan(fixed), 1.0, wanted / np.maximum(district_daily(pm), 1e-6))
    values[:, pi["pm25"]] = pm * restore[day_of]

    # episodes lift the other primary pollutants too (less than PM2.5, which is secondary).
    boost = np.where(np.isnan(fixed), 1.0, m25 / scales[day_month])
    for p, power in (("pm10", 0.8), ("no2", 0.5), ("co", 0.5), ("so2", 0.3)):
        values[:, pi[p]] *= (boost**power)[day_of]
    d10 = district_daily(values[:, pi["pm10"]])
    cap10 = np.where(np.isnan(fixed), np.minimum(1.0, _PM10_DAY_MAX / np.maximum(d10, 1e-6)), 1.0)
    values[:, pi["pm10"]] *= cap10[day_of]
    values[:, pi["pm10"]] = np.maximum(values[:, pi["pm10"]], values[:, pi["pm25"]])
    o3 = values[:, pi["o3"]]
    o3_knee = _O3_SOFT_MAX - 50.0
    values[:, pi["o3"]] = np.where(o3 > o3_knee, o3_knee + 50.0 * np.tanh((o3 - o3_knee) / 50.0), o3)
    values = np.maximum(values, 0.0)

    # 4. gaps: analyser outages (all pollutants), single-pollutant drops, short days.
    missing = np.zeros(values.shape, dtype=bool)
    missing |= (r_missing.random((n_sub, n_hours)) < 0.012)[:, None, :]
    missing |= r_missing.random(values.shape) < 0.003
    short_subs = r_short.choice(n_sub, size=2, replace=False)
    for k in short_subs:  # two subdistricts, four days each: a block of 6–9 hours lost
        days = r_short.choice(np.arange(3, n_days - 3), size=4, replace=False)
        starts = np.flatnonzero(np.isin(day_of, days) & (hours.hour.to_numpy() == 9))
        lengths = r_short.integers(6, 10, size=starts.size)
        block = np.zeros(n_hours, dtype=bool)
        offsets_h = np.arange(10)
        idx = starts[:, None] + offsets_h[None, :]
        block[idx[offsets_h[None, :] < lengths[:, None]]] = True
        missing[k] |= block[None, :]

    # 5. cut at `through`, round, and shape the long frame.
    end = pd.Timestamp(through).floor("h")
    keep = np.asarray(hours <= end)
    decimals = np.array([_DECIMALS[p] for p in POLLUTANTS])
    rounded = np.empty_like(values)
    for i, d in enumerate(decimals):
        rounded[:, i] = np.round(values[:, i], int(d))
    codes = np.array([sd.code for sd in subs], dtype=object)
    pols = np.array(POLLUTANTS, dtype=object)
    cube = rounded[:, :, keep]
    present = ~missing[:, :, keep]
    sub_idx, pol_idx, hour_idx = np.nonzero(present)
    out = pd.DataFrame(
        {
            "subdistrict_code": codes[sub_idx],
            "pollutant": pols[pol_idx],
            "label": hours[keep][hour_idx],
            "value": cube[sub_idx, pol_idx, hour_idx].astype("float64"),
        }
    )
    out["subdistrict_code"] = out["subdistrict_code"].astype(str)
    out["pollutant"] = out["pollutant"].astype(str)
    return out


# -- road dust ------------------------------------------------------------------------------

#: Real streets of each subdistrict (short name → 3–5 roads) for the road-dust demo.
DEMO_ROADS: dict[str, tuple[str, ...]] = {
    "西长安街": ("西长安街", "府右街", "南长街", "北长街", "灵境胡同"),
    "新街口": ("新街口北大街", "西直门内大街", "赵登禹路", "西四北大街"),
    "月坛": ("月坛南街", "月坛北街", "三里河路", "南礼士路"),
    "展览路": ("西直门外大街", "展览馆路", "车公庄大街", "阜成门外大街"),
    "德胜": ("德胜门外大街", "新康街", "裕民路", "新街口外大街"),
    "金融街": ("金融大街", "太平桥大街", "武定侯街", "阜成门内大街", "复兴门内大街"),
    "什刹海": ("地安门西大街", "鼓楼西大街", "德胜门内大街", "旧鼓楼大街"),
    "大栅栏": ("煤市街", "前门大街(西侧)", "珠宝市街", "大栅栏西街"),
    "天桥": ("天桥南大街", "永安路", "北纬路", "福长街"),
    "椿树": ("琉璃厂西街", "宣武门外大街", "骡马市大街", "南新华街"),
    "陶然亭": ("太平街", "陶然亭路", "黑窑厂街", "永定门西街"),
    "广内": ("广安门内大街", "长椿街", "槐柏树街", "宣武门西大街"),
    "牛街": ("牛街", "南横西街", "教子胡同", "右安门内大街"),
    "白纸坊": ("白纸坊东街", "白纸坊西街", "菜园街", "里仁街", "鸭子桥路"),
    "广外": ("广安门外大街", "红莲南路", "马连道路", "湾子路", "莲花池东路"),
}

#: Seasonal factor of road-dust load by month (dry, windy spring highest; rainy summer lowest).
_DUST_SEASON = np.array([1.05, 1.1, 1.3, 1.35, 1.15, 0.9, 0.75, 0.75, 0.85, 0.95, 1.0, 1.05])


def demo_road_dust(targets: Targets, year: int, through_month: int, seed: int = 42) -> pd.DataFrame:
    """Monthly demo road-dust load ``subdistrict_code, road, month, load`` (g/m²).

    3–5 real streets per subdistrict, months 1…``through_month``; loads mostly 0.1–0.8
    with a spring peak, four road-months clearly high (≥ 0.9) so a poor grade can appear
    once the bureau sets thresholds, and one road left unmonitored in some months of one
    subdistrict so the coverage checks have something to find.
    """
    ss = np.random.SeedSequence([int(seed), int(year), 7])
    r_base, r_month, r_high, r_gap = (np.random.default_rng(s) for s in ss.spawn(4))
    rows_sub: list[str] = []
    rows_road: list[str] = []
    for sd in targets.subdistricts:
        roads = DEMO_ROADS.get(sd.short_name) or tuple(f"{sd.short_name}主路{i}" for i in (1, 2, 3))
        rows_sub.extend([sd.code] * len(roads))
        rows_road.extend(roads)
    n_roads = len(rows_road)
    base = np.exp(np.log(0.32) + 0.25 * r_base.standard_normal(n_roads))  # median 0.32 g/m²
    monthly = np.exp(0.15 * r_month.standard_normal((n_roads, 12)))
    load = np.clip(base[:, None] * _DUST_SEASON[None, :] * monthly, 0.08, 0.85)
    high = r_high.choice(n_roads * 12, size=4, replace=False)
    load.ravel()[high] = r_high.uniform(0.9, 1.3, size=4)
    present = np.ones((n_roads, 12), dtype=bool)
    gap_sub = targets.subdistricts[int(r_gap.integers(len(targets.subdistricts)))].code
    gap_rows = [i for i, code in enumerate(rows_sub) if code == gap_sub]
    gap_road = gap_rows[int(r_gap.integers(len(gap_rows)))]
    present[gap_road, r_gap.choice(np.arange(1, 10), size=3, replace=False)] = False

    last = max(0, min(int(through_month), 12))
    road_idx, month_idx = np.nonzero(present[:, :last])
    months = np.array([dt.date(year, m, 1) for m in range(1, 13)], dtype=object)
    return pd.DataFrame(
        {
            "subdistrict_code": np.array(rows_sub, dtype=object)[road_idx].astype(str),
            "road": np.array(rows_road, dtype=object)[road_idx].astype(str),
            "month": months[month_idx],
            "load": np.round(load[road_idx, month_idx], 2),
        }
    )
