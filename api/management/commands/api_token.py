"""python manage.py api_token USERNAME [--name NAME] [--revoke]

Prints a new API token for USERNAME (for scripts); --revoke revokes all of the user's tokens."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from api.services import api_token_create, api_token_revoke


class Command(BaseCommand):
    help = "Prints a new API token for USERNAME; --revoke revokes all of the user's tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", metavar="USERNAME")
        parser.add_argument("--name", default="manage.py api_token", help="A label for the token.")
        parser.add_argument("--revoke", action="store_true", help="Revoke every token of the user.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No existe el usuario «{options['username']}».")
        if options["revoke"]:
            count = api_token_revoke(user=user)
            self.stdout.write(f"Tokens revocados de {user.get_username()}: {count}")
            return
        _token, key = api_token_create(user=user, name=options["name"])
        self.stdout.write(key)
