"""What ``tradelane up`` prints: the missing-font warning, the demo logins box, the quiet
console log (one line per 403, task failures only) and the default public address."""

from __future__ import annotations

import os

import pytest

from tradelane import cli
from tradelane.logistics.documents import fonts


def test_up_warns_without_a_cjk_font_with_the_install_command(no_cjk_font, capsys):
    cli._warn_missing_font()
    out = capsys.readouterr().out
    assert out.startswith("WARNING: no CJK TrueType font found")
    assert "sudo apt-get install fonts-wqy-microhei" in out and "TRADELANE_CJK_FONT" in out


def test_up_says_nothing_about_fonts_when_one_is_installed(capsys):
    fonts.reset_for_tests()
    if not fonts.cjk_font().embedded:
        pytest.skip("no CJK TrueType font installed (fonts-wqy-microhei)")
    cli._warn_missing_font()
    assert capsys.readouterr().out == ""


def test_boxed_pads_every_line_to_the_same_terminal_width_counting_chinese_as_two():
    assert cli.boxed(["Demo logins:", "  admin  Admin / 管理员"]).splitlines() == [
        "┌─────────────────────────┐",
        "│ Demo logins:            │",
        "│   admin  Admin / 管理员 │",
        "└─────────────────────────┘",
    ]


@pytest.mark.django_db
def test_demo_logins_are_printed_in_a_box(capsys):
    from tradelane import demo

    cli._print_logins()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("┌") and lines[-1].startswith("└")
    assert lines[1].startswith("│ Demo logins (username / password — role):")
    provider = len(demo.PROVIDER_USERS) + len(demo.PORTAL_USERS)
    assert len(lines) == len(demo.DEMO_USERS) + 1 + provider + 3
    assert lines[len(demo.DEMO_USERS) + 2].startswith("│ Provider 物流商")
    assert len({cli._display_width(line) for line in lines}) == 1
    for u, line in zip(demo.DEMO_USERS, lines[2:-1], strict=False):
        assert line.split()[1:3] == [u.username, u.password] and line.endswith(" │")


# --- the console log ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_403_is_one_log_line_without_a_traceback(client, caplog):
    from django.urls import reverse

    from tradelane.accounts import roles
    from tradelane.web.tests.data import login, user

    login(client, user(roles.WAREHOUSE, "wh"))
    with caplog.at_level("WARNING", logger="django.request"):
        response = client.get(reverse("web:users"))
    assert response.status_code == 403
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == (
        "Forbidden (Permission denied): GET /settings/users/ (user wh: accounts.manage_users)"
    )
    assert record.exc_info is None and "Traceback" not in caplog.text
    assert caplog.text.count("\n") == 1


def test_a_500_keeps_its_traceback():
    import logging

    from tradelane.core.console_log import OneLineClientErrors

    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        exc_info = (type(exc), exc, exc.__traceback__)
    record = logging.LogRecord(
        "django.request",
        logging.ERROR,
        __file__,
        1,
        "Internal Server Error: %s",
        ("/x/",),
        exc_info,
    )
    record.status_code = 500
    assert OneLineClientErrors().filter(record)
    assert record.exc_info is not None and record.getMessage() == "Internal Server Error: /x/"


def _console_handler():
    import logging

    from tradelane.core.console_log import TaskFailuresOnly

    (handler,) = [
        h for h in logging.getLogger().handlers
        if any(isinstance(f, TaskFailuresOnly) for f in h.filters)
    ]  # fmt: skip
    return handler


def _task_record(level: int, message: str, name: str = "django_tasks"):
    import logging

    return logging.LogRecord(name, level, __file__, 1, message, (), None)


def test_the_console_drops_each_tasks_start_and_end_but_shows_failures():
    import logging

    handler = _console_handler()
    running = _task_record(logging.INFO, "Task id=1 path=x state=RUNNING")
    done = _task_record(logging.INFO, "Task id=1 path=x state=SUCCESSFUL")
    start = _task_record(logging.INFO, "Starting worker worker_id=w", "django_tasks_db")
    failed = _task_record(logging.ERROR, "Task id=2 path=x state=FAILED")
    warning = _task_record(logging.WARNING, "Received Terminated", "django_tasks_db")
    ours = _task_record(logging.INFO, "something of ours", "tradelane.orders")
    assert [bool(handler.filter(r)) for r in (running, done, start, failed, warning, ours)] == [
        False, False, False, True, True, True,
    ]  # fmt: skip


def test_log_level_info_shows_every_task_again():
    import logging

    from tradelane.core.console_log import TaskFailuresOnly

    record = _task_record(logging.INFO, "Task id=1 path=x state=RUNNING")
    assert TaskFailuresOnly("INFO").filter(record) is True
    assert TaskFailuresOnly("WARNING").filter(record) is False
    assert TaskFailuresOnly("not-a-level").filter(record) is False


# --- the public address ---------------------------------------------------------------------


def test_up_defaults_the_public_url_to_the_address_it_serves_on(monkeypatch):
    monkeypatch.delenv("TRADELANE_PUBLIC_URL", raising=False)
    assert cli._default_public_url("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert os.environ["TRADELANE_PUBLIC_URL"] == "http://127.0.0.1:8000"  # the worker inherits
    monkeypatch.setenv("TRADELANE_PUBLIC_URL", "  ")
    assert cli._default_public_url("0.0.0.0", 8080) == "http://127.0.0.1:8080"
    monkeypatch.setenv("TRADELANE_PUBLIC_URL", "")
    assert cli._default_public_url("::1", 8000) == "http://[::1]:8000"


def test_a_public_url_that_is_set_is_kept(monkeypatch):
    monkeypatch.setenv("TRADELANE_PUBLIC_URL", "https://track.example.com")
    assert cli._default_public_url("127.0.0.1", 8000) is None
    assert os.environ["TRADELANE_PUBLIC_URL"] == "https://track.example.com"
