"""The shell's own views; every app's pages live in that app (its ``views`` and ``urls``)."""

from .auth import LoginView, LogoutView, home, set_language

__all__ = ["LoginView", "LogoutView", "home", "set_language"]
