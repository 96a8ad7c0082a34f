"""Typed shapes of the price files (catalog/data/prices/<cloud>.yaml).

Every figure names its source (a key of the file's `sources` table) and the date it was current
at that source (`as_of`: the source's publication or generation date, else the day it was read;
default: the source's date). Freshness checks (`catalog.freshness`) compare it with today. A
figure nobody could source is an explicit `unknown: <why>`; a price is never 0 because it is
missing (a sourced $0, such as the AKS Free tier, is a real price).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from catalog.models import CloudName

ANY_REGION = "*"
"""Region key of a figure that is the same in every region (or an unknown that holds everywhere)."""


class _Strict(BaseModel):
    # Price data is reviewed like code: a typo in a field name must fail loudly.
    model_config = ConfigDict(extra="forbid", frozen=True)


class PriceSource(_Strict):
    """Where figures come from: a public catalog, a vendor page, test data with a region."""

    title: str = Field(min_length=1)
    url: str | None = None
    as_of: dt.date
    """The date the source's figures were current (entries may override it)."""
    undated: bool = False
    """The source does not say when its figures were current: `as_of` is the day they were read,
    and freshness reports list its figures as undated rather than fresh."""


class _Figure(_Strict):
    unknown: str | None = Field(default=None, min_length=1)
    """Why no figure is given. Exclusive with a price."""
    source: str | None = None
    """Key of the file's `sources` table. Required with a price."""
    as_of: dt.date | None = None
    """When the figure was current at its source; default: the source's `as_of`."""
    note: str | None = None
    """How the figure was derived, caveats (shown in `preflight prices`)."""

    def _check_exclusive(self, price: float | None, what: str) -> None:
        if self.unknown is None and price is None:
            raise ValueError(f"give {what} (with a source) or `unknown: <why>`")
        if self.unknown is not None and price is not None:
            raise ValueError(f"`unknown` and {what} are exclusive")
        if price is not None and not self.source:
            raise ValueError(f"{what} needs a `source`")


class HourlyPrice(_Figure):
    """USD per machine-hour (machines, hosting) or per accelerator-hour / TPU chip-hour."""

    on_demand: float | None = Field(default=None, gt=0)
    on_demand_max: float | None = Field(default=None, gt=0)
    """The upper end when the figure is a derived range (`on_demand` is then the lower end): a
    managed-hosting rate estimated as a multiple of the machine's rate is never shown as exact."""
    spot: float | None = Field(default=None, gt=0)
    """Spot / preemptible price; the highest zone price in the source's range (conservative)."""
    spot_max: float | None = Field(default=None, gt=0)
    """The upper end of a derived spot range (`spot` is then the lower end)."""
    spot_unknown: str | None = Field(default=None, min_length=1)
    """Why there is no spot figure when `on_demand` is known (default: not sourced)."""

    @model_validator(mode="after")
    def _shape(self) -> HourlyPrice:
        self._check_exclusive(self.on_demand, "`on_demand`")
        if self.spot is not None and self.on_demand is None:
            raise ValueError("`spot` without `on_demand`")
        if self.spot is not None and self.spot_unknown is not None:
            raise ValueError("`spot` and `spot_unknown` are exclusive")
        if self.on_demand_max is not None and (self.on_demand is None or self.on_demand_max <= self.on_demand):
            raise ValueError("`on_demand_max` needs an `on_demand` below it (the range's lower end)")
        if self.spot_max is not None and (self.spot is None or self.spot_max <= self.spot):
            raise ValueError("`spot_max` needs a `spot` below it (the range's lower end)")
        if (self.on_demand_max is not None or self.spot_max is not None) and not self.note:
            raise ValueError("a range (`on_demand_max`) is derived: say how in `note`")
        return self


class FeePrice(_Figure):
    """A flat fee: per hour (a managed Kubernetes control plane, a NAT gateway, a public IP) or per
    month (a KMS key, a DNS zone); a monthly fee is quoted per hour as monthly / 730."""

    hourly: float | None = Field(default=None, ge=0)
    monthly: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _shape(self) -> FeePrice:
        if self.hourly is not None and self.monthly is not None:
            raise ValueError("`hourly` and `monthly` are exclusive")
        self._check_exclusive(self.hourly if self.hourly is not None else self.monthly, "`hourly` or `monthly`")
        return self


class StoragePrice(_Figure):
    """USD per GB-month of one storage class in one region or location."""

    gb_month: float | None = Field(default=None, gt=0)
    gb_month_max: float | None = Field(default=None, gt=0)
    """The upper end when the figure is a derived range (`gb_month` is then the lower end)."""

    @model_validator(mode="after")
    def _shape(self) -> StoragePrice:
        self._check_exclusive(self.gb_month, "`gb_month`")
        if self.gb_month_max is not None and (self.gb_month is None or self.gb_month_max <= self.gb_month):
            raise ValueError("`gb_month_max` needs a `gb_month` below it (the range's lower end)")
        if self.gb_month_max is not None and not self.note:
            raise ValueError("a range (`gb_month_max`) is derived: say how in `note`")
        return self


class CommitmentRate(_Figure):
    """Percent off the on-demand rate for committing to a machine for the plan's term."""

    percent: float | None = Field(default=None, gt=0, lt=100)

    @model_validator(mode="after")
    def _shape(self) -> CommitmentRate:
        self._check_exclusive(self.percent, "`percent`")
        return self


class CommitmentPlan(_Strict):
    """One way to commit on a cloud (EC2 Reserved Instances, GCP committed use discounts, Azure
    reservations, Alibaba subscription): term (`1y`, `3y`) -> machine type or glob -> rate."""

    label: str = Field(min_length=1)
    terms: dict[Literal["1y", "3y"], dict[str, CommitmentRate]]


class TpuVmType(_Strict):
    """How a TPU VM accelerator type name (`v5litepod-8`, `v5p-8`) counts chips."""

    accelerator: str
    cores_per_chip: int = Field(default=1, gt=0)
    """The number in the type name counts TensorCores for some generations (v5p: 2 per chip)."""


class CloudPrices(_Strict):
    """All price figures for one cloud. Tables map an item (machine type, fee, storage class) to
    a region (or `*`) to a figure. Item keys may be glob patterns (`ecs.gn7i-*`); an exact key
    wins over a pattern."""

    cloud: CloudName
    currency: str = "USD"
    sources: dict[str, PriceSource]
    machines: dict[str, dict[str, HourlyPrice]] = Field(default_factory=dict)
    """Node / VM types. For clouds with `accelerators_billed_separately`, the host only."""
    hosting: dict[str, dict[str, HourlyPrice]] = Field(default_factory=dict)
    """Managed model hosting (SageMaker `ml.*`, Vertex AI, Azure ML, PAI-EAS) per instance-hour."""
    endpoint_key_prefix: str = ""
    """The prefix the cloud's catalog file puts on endpoint machine keys (`vertex:`, `ml:`,
    `eas.`) that the cloud's API does not use: `hosting` is keyed by the API's names."""
    accelerators_billed_separately: bool = False
    """GCP: GPUs are billed on top of the host machine; TPUs per chip-hour."""
    accelerator_optimized_families: list[str] = Field(default_factory=list)
    """GCP machine families that always carry GPUs (`g2`, `a2`, `a3`): a host price alone would
    understate them, so such a type the catalog does not map is unpriced."""
    accelerators: dict[str, dict[str, HourlyPrice]] = Field(default_factory=dict)
    """Neutral accelerator name -> price per accelerator-hour (GPU) or chip-hour (TPU)."""
    accelerator_types: dict[str, str] = Field(default_factory=dict)
    """The cloud's accelerator type names (`nvidia-tesla-t4`) -> neutral names (`nvidia-t4`)."""
    tpu_machine_families: dict[str, str] = Field(default_factory=dict)
    """TPU node machine family prefix (`ct5lp`) -> neutral TPU accelerator (`tpu-v5e`)."""
    tpu_vm_types: dict[str, TpuVmType] = Field(default_factory=dict)
    """TPU VM accelerator type prefix (`v5litepod`) or config type (`V5LITE_POD`) -> chips."""
    fees: dict[str, dict[str, FeePrice]] = Field(default_factory=dict)
    storage: dict[str, dict[str, StoragePrice]] = Field(default_factory=dict)
    """Storage class (as the cloud spells it, upper case) -> region/location -> USD per GB-month."""
    commitments: dict[str, CommitmentPlan] = Field(default_factory=dict)
    """Commitment kind (`reserved-instance`, `cud`, `reservation`, `subscription`) -> its rates."""

    @model_validator(mode="after")
    def _sources_exist(self) -> CloudPrices:
        tables: dict[str, dict[str, dict[str, _Figure]]] = {
            "machines": self.machines,  # type: ignore[dict-item]
            "hosting": self.hosting,  # type: ignore[dict-item]
            "accelerators": self.accelerators,  # type: ignore[dict-item]
            "fees": self.fees,  # type: ignore[dict-item]
            "storage": self.storage,  # type: ignore[dict-item]
        }
        for kind, plan in self.commitments.items():
            tables[f"commitments.{kind}"] = plan.terms  # type: ignore[assignment]
        for table_name, table in tables.items():
            for item, regions in table.items():
                if not regions:
                    raise ValueError(f"{table_name}.{item}: no regions")
                for region, figure in regions.items():
                    if figure.source is not None and figure.source not in self.sources:
                        raise ValueError(
                            f"{table_name}.{item}.{region}: source {figure.source!r} is not in `sources` "
                            f"(known: {', '.join(sorted(self.sources))})"
                        )
        return self
