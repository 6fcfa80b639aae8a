"""Cities of the province and its free-trade-zone areas."""
from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.extensions import db


class City(db.Model):
    """A prefecture-level city, with coordinates for travel distances and the map."""

    __tablename__ = "cities"
    __table_args__ = (
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_en: Mapped[str] = mapped_column(String(64))
    name_zh: Mapped[str] = mapped_column(String(32))
    latitude: Mapped[float]
    longitude: Mapped[float]
    neighbours: Mapped[str] = mapped_column(String(400), default="")

    def name(self, locale: str) -> str:
        """The city's name in the given locale."""
        return self.name_zh if locale.startswith("zh") else self.name_en

    def neighbour_codes(self) -> list[str]:
        """Codes of the neighbouring cities, nearest first (for fallback routing)."""
        return [code for code in self.neighbours.split(",") if code]


class FtzArea(db.Model):
    """A free-trade-zone area (Shenyang, Dalian, Yingkou)."""

    __tablename__ = "ftz_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_en: Mapped[str] = mapped_column(String(64))
    name_zh: Mapped[str] = mapped_column(String(32))
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"))

    city: Mapped[City] = relationship()

    def name(self, locale: str) -> str:
        """The area's name in the given locale."""
        return self.name_zh if locale.startswith("zh") else self.name_en
