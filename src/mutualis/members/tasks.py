"""Background work of the register: a large member import runs as a task.

Small files are imported during the request (`run_import` directly); larger ones
are queued (`import_members_task.enqueue`) and run by `mutualis db_worker`. The
page of the import refreshes itself and shows the batch progress either way.
"""

from __future__ import annotations

from django.tasks import task
from django.utils import timezone, translation

from .models import ImportStatus, MemberImport


def run_import(import_id: int, language: str = "fr") -> None:
    from .importer import import_members
    from .views import today_in

    job = MemberImport.objects.select_related("mutual", "actor").get(pk=import_id)
    MemberImport.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)
    with translation.override(language):
        try:
            result = import_members(
                actor=job.actor,
                mutual=job.mutual,
                path=job.stored_path,
                file_name=job.file_name,
                on=today_in(job.mutual),
                language=language,
            )
        except Exception as exc:  # the page shows why; the batch log keeps the trace
            MemberImport.objects.filter(pk=job.pk).update(
                status=ImportStatus.FAILED, message=str(exc)[:2000], finished_at=timezone.now()
            )
            if not hasattr(exc, "code"):
                raise
            return
    MemberImport.objects.filter(pk=job.pk).update(
        status=ImportStatus.DONE,
        batch_id=result.batch_id,
        rows_total=result.rows_total,
        rows_imported=result.imported,
        rows_skipped=result.skipped,
        rows_failed=result.failed,
        duplicates=result.duplicates,
        error_report=result.report,
        finished_at=timezone.now(),
    )


@task()
def import_members_task(import_id: int, language: str = "fr") -> None:
    run_import(import_id, language)
