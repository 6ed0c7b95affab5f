"""Thin, idempotent task wrappers (django-tasks)."""

from django_tasks import task


@task()
def process_webhook(delivery_id: int) -> str:
    from . import webhooks

    return webhooks.process(delivery_id)


@task()
def sync_store(connection_id: int, kind: str = "reconcile") -> dict:
    from . import sync
    from .models import StoreConnection

    conn = StoreConnection.objects.select_related("store").filter(pk=connection_id).first()
    if conn is None:
        return {"status": "missing"}
    run = sync.sync(conn, kind)
    return {"status": run.status if run else "skipped", "run": run.pk if run else None}
