from __future__ import annotations

from pathlib import Path

from site_builder.render.chrome import compact, move_scripts
from site_builder.render.theme import ROOT, parse_shell

ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M3 6h18v2H3z"/></svg>'


def test_whitespace_runs_become_one_character_outside_scripts_and_comments() -> None:
    html = ('<div  class="a"\n   id="b" >\n    <span>\n      Site   name\n    </span> <a href="x" >y</a>\n</div>\n'
            '<script>var  a = "two  spaces";\n  f()</script>\n<!--SB:CONTENT-->\n  <br />')
    assert compact(html) == ('<div class="a" id="b">\n<span>\nSite name\n</span> <a href="x">y</a>\n</div>\n'
                             '<script>var  a = "two  spaces";\n  f()</script>\n<!--SB:CONTENT-->\n<br/>')


def test_quoted_attribute_values_are_kept_as_they_are() -> None:
    assert compact('<input  title="two  spaces"   value=\'a  b\'>') == '<input title="two  spaces" value=\'a  b\'>'


def test_a_chrome_with_pre_or_textarea_is_not_compacted() -> None:
    for tag in ("pre", "textarea", "PRE"):
        html = f"<div>\n    <{tag}>  keep\n   this</{tag}>\n    </div>"
        assert compact(html) == html


def test_a_repeated_icon_is_drawn_from_its_first_copy() -> None:
    other = ICON.replace("M3 6h18v2H3z", "M1 1h2v2H1z")
    out = compact(f"<a>{ICON}</a> <b>{other}</b> <label>{ICON}</label>")
    assert out == ('<a><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><g id="sb-icon-1">'
                   '<path d="M3 6h18v2H3z"/></g></svg></a> '
                   f'<b>{other}</b> '
                   '<label><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><use href="#sb-icon-1"/>'
                   "</svg></label>")


def test_the_shell_is_compacted_when_it_is_cut() -> None:
    shell = parse_shell("<html>\n  <head><!--SB:META-->\n    <!--SB:TITLE--></head>\n  <body>\n    SBHEADERTITLEMARKER\n"
                        "    <!--SB:CONTENT-->\n    <!--SB:SCRIPTS-->\n  </body>\n</html>\n")
    assert shell.pieces == ("<html>\n<head>", "\n", "</head>\n<body>\n", "\n", "\n", "\n</body>\n</html>\n")
    assert shell.markers == ("META", "TITLE", "HEADER_TITLE", "CONTENT", "SCRIPTS")


def test_long_scripts_that_are_the_same_on_every_page_are_loaded_from_a_file() -> None:
    same = "var palette=" + "x" * 400
    pieces = (f"<head><script>{same}</script>", f"<script>short()</script><script>f('{ROOT}' + '{'y' * 400}')</script>")
    moved, files = move_scripts(pieces, ROOT)
    [(path, text)] = files.items()
    assert path.startswith("assets/build-site/chrome-") and path.endswith(".js") and text == same + "\n"
    assert moved == (f'<head><script src="{ROOT}{path}"></script>', pieces[1])  # short, or differs with the depth


def test_scratch_folders_of_builds_that_are_gone_are_swept(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from site_builder.render.theme import theme_workdir

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = tmp_path / f"theme-{gone.stdout.strip()}-killed"  # a build killed mid-way left it
    live = tmp_path / f"theme-{os.getppid()}-running"  # another build, still running
    for folder in (dead, live):
        (folder / "docs").mkdir(parents=True)
    with theme_workdir(tmp_path) as work:
        assert Path(work).name.startswith(f"theme-{os.getpid()}-")
        assert not dead.exists() and live.exists()
    assert not Path(work).exists()
