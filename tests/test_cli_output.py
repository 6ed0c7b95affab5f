"""What ``tradelane up`` prints: the missing-font warning, the demo logins box, the quiet
console log (one line per 403, task failures only) and the default public address."""

from __future__ import annotations

import pytest

from tradelane import cli
from tradelane.logistics.documents import fonts


@pytest.fixture
def no_cjk_font(monkeypatch):
    monkeypatch.setattr(fonts, "CANDIDATES", ())
    monkeypatch.setenv(fonts.ENV_VAR, "/nonexistent/font.ttf")
    fonts.reset_for_tests()
    yield
    monkeypatch.undo()
    fonts.reset_for_tests()


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
