"""``/2010-04-01/Accounts/{AccountSid}.json``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from trunkline.sandbox.auth import path_account
from trunkline.sandbox.records import Account
from trunkline.sandbox.wire import account_json

router = APIRouter(prefix="/twilio/api/2010-04-01")


@router.get("/Accounts/{account_sid}.json")
async def fetch_account(account: Annotated[Account, Depends(path_account)]) -> dict[str, Any]:
    return account_json(account)
