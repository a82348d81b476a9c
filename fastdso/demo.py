"""A realistic demo retailer: Spanish store names, 8-digit SKUs with leading
zeros, categories, intermittent daily demand, CD and store stock.

Pure generation (DataFrames out, deterministic for a seed); `seed_demo`
loads the frames.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

CITIES = [
    "Centro",
    "Norte",
    "Sur",
    "Oriente",
    "Poniente",
    "Providencia",
    "Ñuñoa",
    "Maipú",
    "La Florida",
    "Las Condes",
    "Puente Alto",
    "Valparaíso",
    "Viña del Mar",
    "Concepción",
    "Temuco",
    "Rancagua",
    "Talca",
    "Antofagasta",
    "La Serena",
    "Iquique",
    "Puerto Montt",
    "Chillán",
    "Arica",
    "Osorno",
    "Valdivia",
    "Calama",
    "Copiapó",
    "Quilpué",
    "San Bernardo",
    "Peñalolén",
]
CATEGORIES = [
    "Consolas",
    "Videojuegos",
    "Accesorios",
    "Audio",
    "Televisores",
    "Computación",
    "Telefonía",
    "Hogar",
    "Pequeños electrodomésticos",
    "Fotografía",
    "Juguetes",
    "Deportes",
    "Libros",
    "Papelería",
    "Iluminación",
    "Herramientas",
    "Cuidado personal",
    "Mascotas",
    "Jardín",
    "Camping",
    "Bebé",
    "Oficina",
    "Gaming PC",
    "Smart Home",
    "Relojes",
]
SIZES = {
    "small": {"stores": 20, "skus": 400, "categories": 8, "days": 84},
    "medium": {"stores": 100, "skus": 3000, "categories": 15, "days": 91},
    "large": {"stores": 150, "skus": 20000, "categories": 25, "days": 91},
}


@dataclass
class DemoData:
    products: pd.DataFrame  # sku, product_name, category
    stores: list[str]
    sales: pd.DataFrame  # sku, store, date, quantity (daily, only non-zero)
    cd_stock: pd.DataFrame  # sku, quantity
    store_stock: pd.DataFrame  # sku, store, quantity
    stock_date: dt.date


def store_names(count: int) -> list[str]:
    return [f"Tienda {CITIES[i % len(CITIES)]} {i + 1:03d}" for i in range(count)]


def generate(size: str = "small", *, seed: int = 7, end: dt.date | None = None) -> DemoData:
    spec = SIZES[size]
    rng = np.random.default_rng(seed)
    end = end or (dt.date.today() - dt.timedelta(days=dt.date.today().weekday() + 1))  # last Sunday
    days = pd.date_range(end=pd.Timestamp(end), periods=spec["days"], freq="D")
    stores = store_names(spec["stores"])
    n_skus = spec["skus"]
    skus = [f"{10000 + i * 7:08d}" for i in range(n_skus)]
    categories = CATEGORIES[: spec["categories"]]
    sku_category = rng.choice(categories, size=n_skus, p=_weights(rng, len(categories)))
    products = pd.DataFrame(
        {
            "sku": skus,
            "product_name": [f"{c} modelo {i:05d}" for i, c in enumerate(sku_category)],
            "category": sku_category,
        }
    )
    # About 8% of the catalogue is new: no sales yet (cold-start candidates).
    popularity = rng.lognormal(mean=-2.2, sigma=1.1, size=n_skus)
    popularity[rng.random(n_skus) < 0.08] = 0.0
    store_size = rng.lognormal(mean=0.0, sigma=0.45, size=len(stores))
    category_bias = {c: rng.lognormal(0, 0.5, size=len(stores)) for c in categories}

    # Expected daily units per (sku, store), then Poisson per day: intermittent.
    bias = np.vstack([category_bias[c] for c in sku_category])  # skus × stores
    lam = popularity[:, None] * store_size[None, :] * bias
    weekday_factor = np.array([0.85, 0.85, 0.9, 0.95, 1.15, 1.35, 0.95])
    frames = []
    for day in days:
        units = rng.poisson(lam * weekday_factor[day.weekday()])
        sku_idx, store_idx = np.nonzero(units)
        if len(sku_idx) == 0:
            continue
        frames.append(
            pd.DataFrame(
                {"sku_idx": sku_idx, "store_idx": store_idx, "date": day.date(), "quantity": units[sku_idx, store_idx]}
            )
        )
    daily = pd.concat(frames, ignore_index=True)
    # A few returns (negative units), as real sales files have.
    returns = rng.random(len(daily)) < 0.002
    daily.loc[returns, "quantity"] = -1
    sales = pd.DataFrame(
        {
            "sku": np.asarray(skus)[daily["sku_idx"]],
            "store": np.asarray(stores)[daily["store_idx"]],
            "date": daily["date"],
            "quantity": daily["quantity"].astype(int),
        }
    )

    weekly_rate = lam * 7
    stock = rng.poisson(weekly_rate * rng.uniform(0.0, 4.0, size=lam.shape))
    stock[rng.random(lam.shape) < 0.05] = 0
    sku_idx, store_idx = np.nonzero(stock)
    store_stock = pd.DataFrame(
        {
            "sku": np.asarray(skus)[sku_idx],
            "store": np.asarray(stores)[store_idx],
            "quantity": stock[sku_idx, store_idx],
        }
    )
    cd_units = rng.poisson(weekly_rate.sum(axis=1) * rng.uniform(0.5, 6.0, size=n_skus))
    cd_units[popularity == 0] = rng.integers(20, 200, size=int((popularity == 0).sum()))
    cd_stock = pd.DataFrame({"sku": skus, "quantity": cd_units})
    cd_stock = cd_stock[cd_stock["quantity"] > 0]
    return DemoData(products, stores, sales, cd_stock, store_stock, end)


def _weights(rng: np.random.Generator, n: int) -> np.ndarray:
    w = rng.uniform(0.5, 2.0, size=n)
    return w / w.sum()
