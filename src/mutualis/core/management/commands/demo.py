from django.core.management.base import BaseCommand

from mutualis.core import demo


class Command(BaseCommand):
    help = "Load the demo mutual (French, XOF) with one user per role, and print the logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the demo is already loaded (keeps data).",
        )
        parser.add_argument("--households", type=int, default=2000)

    def handle(self, *args, if_empty=False, households=2000, **options):
        if demo.is_loaded():
            if not if_empty:
                self.stderr.write("The demo mutual is already loaded.")
            self.print_logins()
            return
        self.stdout.write("Loading the demo mutual…")
        demo.load(households=households)
        self.print_logins()

    def print_logins(self):
        from mutualis.core.models import RoleAssignment

        rows = (
            RoleAssignment.objects.filter(user__username__in=demo.DEMO_USERS)
            .select_related("user", "organisation")
            .order_by("id")
        )
        self.stdout.write(
            self.style.SUCCESS(f"\nDemo logins (password for all: {demo.DEMO_PASSWORD})")
        )
        for r in rows:
            self.stdout.write(
                f"  {r.user.username:<14} {r.get_role_display():<30} {r.organisation.name}"
            )
        self.stdout.write("")
