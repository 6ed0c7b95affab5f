"""Thin, idempotent task wrapper: process one stored tracking webhook."""

from django_tasks import task

from . import hooks


@task()
def process_inbound(inbound_id: int) -> str:
    return hooks.process(inbound_id)
