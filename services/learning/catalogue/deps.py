"""The federal list of the app, as a dependency (loaded at start-up, see seed.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.learning.catalogue.data import FederalList, load_federal_list


def get_federal_list(request: Request) -> FederalList:
    federal: FederalList | None = getattr(request.app.state, "federal_list", None)
    if federal is None:
        federal = load_federal_list(request.app.state.settings.federal_list_path)
        request.app.state.federal_list = federal
    return federal


FederalListDep = Annotated[FederalList, Depends(get_federal_list)]
