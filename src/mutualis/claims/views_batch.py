"""The batch adjudication page: what waits for a decision, a button to decide it all,
and the runs with their progress (DOMAIN §7, docs/claims.md "Batch adjudication").

A few thousand claims are decided during the request, then the progress page of
the run opens; more are queued as a task (`mutualis db_worker` runs it) and the
page lists the run as soon as it starts.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from mutualis.core.errors import DomainError, ValidationFailed
from mutualis.core.models import BatchStatus
from mutualis.core.roles import Perm
from mutualis.core.scope import require
from mutualis.web.util import paginate

from . import batch, services
from .views import _mutual_of

INLINE_CLAIMS = 3000  # decided during the request; more go to the task queue


def _until(request, today: date) -> date:
    text = request.POST.get("until") or request.GET.get("until") or ""
    if not text:
        return today
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(fields={"until": _("Give a date as YYYY-MM-DD.")}) from None


@login_required
def adjudicate_view(request):
    require(request.user, Perm.CLAIM_ADJUDICATE)
    mutual = _mutual_of(request.user)
    today = services.local_today(mutual)
    until = today
    try:
        until = _until(request, today)
        if request.method == "POST":
            waiting = batch.waiting_summary(mutual=mutual, until=until)
            if waiting["claims"] <= INLINE_CLAIMS:
                result = batch.claims_adjudicate(actor=request.user, mutual=mutual, until=until)
                return redirect("batch", batch_id=result.batch_id)
            require(request.user, Perm.CLAIM_ADJUDICATE, on=mutual)
            batch.adjudicate_task.enqueue(mutual.pk, request.user.pk, until.isoformat())
            messages.success(
                request, _("The batch is queued; it appears below as soon as it starts.")
            )
            return redirect("claims:adjudicate")
    except DomainError as exc:
        messages.error(request, str(exc))
    runs = batch.runs(mutual=mutual)
    return render(
        request,
        "claims/adjudicate.html",
        {
            "mutual": mutual,
            "until": until,
            "waiting": batch.waiting_summary(mutual=mutual, until=until),
            "page": paginate(request, runs, 20),
            "running": runs.filter(status=BatchStatus.RUNNING).exists(),
        },
    )
