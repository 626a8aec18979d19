from .nav import entries_for, grouped


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_entries": [], "nav_groups": []}
    path = request.path
    entries = entries_for(user)
    # Only the entry with the longest matching URL is current (/benefits/ vs
    # /benefits/eligibility/).
    matching = [e for e in entries if e["url"] != "/" and path.startswith(e["url"])]
    current = max(matching, key=lambda e: len(e["url"]), default=None)
    for entry in entries:
        entry["active"] = entry is current
    return {"nav_entries": entries, "nav_groups": grouped(entries)}
