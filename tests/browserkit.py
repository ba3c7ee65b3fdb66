"""Drive the notebooks in a real browser: JupyterLab on 127.0.0.1 and Debian's Chromium.

Shared by the browser test (tests/test_browser.py) and the README screenshots
(docs/make_screenshots.py), so both run exactly the same flow:

    with running_lab(tmp) as lab, chromium(tmp / "profile") as context:
        page = open_notebook(context, lab, "00_why_sizes_change.ipynb")
        run_all_cells(page)
        change = move_conv_stride(page)          # the readout and the SVG, before and after
        change = click_stack_fix(page, "crop")   # the badge and the SVG, before and after

Lab runs from a temporary copy of notebooks/ with its own config, data and
runtime folders (the user's settings never apply), CNNLAB_FAST=1, on a random
port with a random token. Chromium runs headless with a fresh profile and every
request that is not for 127.0.0.1 is aborted and recorded in `context.blocked`.
Playwright is imported inside the functions that use it.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "INSTALL_HINT", "Change", "Lab", "chromium",
           "click_stack_fix", "find_widget", "move_conv_stride", "open_notebook", "run_all_cells",
           "running_lab", "chromium_missing", "set_theme", "low_contrast", "write_notebook"]

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("CNNLAB_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-default-apps", "--mute-audio"]
INSTALL_HINT = ("install Debian's Chromium with `sudo apt-get install chromium` "
                "(.ci/run does this on CI), or point CNNLAB_CHROMIUM at a Chromium binary")
NO_WIDGETS = ("is the ipywidgets front end (jupyterlab_widgets) installed in the environment "
              "that runs JupyterLab?")
# Lab settings for a quiet, offline page: no news, no update checks, no toasts.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True},
}


def chromium_missing() -> str:
    """Why the browser flow cannot run here ('' when it can).

    >>> isinstance(chromium_missing(), str)
    True
    """
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing: install the dev extra (`make test` does)"
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM}: {INSTALL_HINT}"
    return ""


# --- JupyterLab ------------------------------------------------------------------------------


@dataclass
class Lab:
    """A running JupyterLab: where it serves, its token, its files and its log."""

    url: str
    token: str
    root: Path
    log: Path
    process: subprocess.Popen

    def notebook_url(self, name: str) -> str:
        """The address that opens notebook `name` (relative to root) with the token."""
        return f"{self.url}lab/tree/{name}?token={self.token}"

    def api(self, path: str, method: str = "GET") -> Any:
        """Call Jupyter Server's REST API and return the decoded JSON (None if empty)."""
        request = urllib.request.Request(f"{self.url}api/{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def log_tail(self, lines: int = 25) -> str:
        """The last lines of Lab's log, for error messages."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _lab_env(work: Path) -> dict[str, str]:
    """Lab's environment: fast mode, the repo's data, and private Jupyter folders."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JUPYTER_", "JUPYTERLAB_")) and k != "IPYTHONDIR"}
    for name in ("config", "data", "runtime", "ipython"):
        (work / name).mkdir(parents=True, exist_ok=True)
    env.update(CNNLAB_FAST="1", CNNLAB_DATA_DIR=str(ROOT / "data"),
               JUPYTER_CONFIG_DIR=str(work / "config"), JUPYTER_DATA_DIR=str(work / "data"),
               JUPYTER_RUNTIME_DIR=str(work / "runtime"), IPYTHONDIR=str(work / "ipython"),
               JUPYTER_PLATFORM_DIRS="0", PYTHONUNBUFFERED="1")
    settings = work / "config" / "lab" / "user-settings"
    for name, values in LAB_SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(values))
    return env


def _lab_command(port: int, token: str, root: Path) -> list[str]:
    jupyter = Path(sys.executable).parent / "jupyter"
    command = [str(jupyter), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: set_theme()
               "--LabApp.news_url=None", "--LabApp.extension_manager=readonly"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    return command


def _wait_until_answering(lab: Lab, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if lab.process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with code {lab.process.returncode} before it "
                               f"answered; its log ends:\n{lab.log_tail()}")
        try:
            lab.api("status")
            return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"JupyterLab did not answer on {lab.url} within {timeout:.0f} "
                                   f"s; its log ends:\n{lab.log_tail()}") from None
            time.sleep(0.3)


def _stop(lab: Lab) -> None:
    """Shut Lab down with its kernels: the API first, then SIGTERM, then SIGKILL, all
    sent to Lab's own process group (kernels included), never to anything else."""
    try:
        lab.api("shutdown", method="POST")
    except OSError:
        pass
    for sig, wait in ((None, 15), (signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        if sig is not None:
            try:
                os.killpg(lab.process.pid, sig)
            except ProcessLookupError:
                break
        try:
            lab.process.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    try:  # kernels outliving Lab are still in its group
        os.killpg(lab.process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@contextmanager
def running_lab(work: Path, timeout: float = 180) -> Iterator[Lab]:
    """Start JupyterLab on a copy of notebooks/ under `work`; stop it, kernels too, on exit."""
    work.mkdir(parents=True, exist_ok=True)
    root = work / "notebooks"
    shutil.copytree(ROOT / "notebooks", root, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    port, token = _free_port(), secrets.token_hex(16)
    log = work / "lab.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(_lab_command(port, token, root), env=_lab_env(work),
                                   cwd=root, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    lab = Lab(f"http://127.0.0.1:{port}/", token, root, log, process)
    try:
        _wait_until_answering(lab, timeout)
        yield lab
    finally:
        _stop(lab)


# --- Chromium --------------------------------------------------------------------------------


@contextmanager
def chromium(profile: Path, width: int = 1280, height: int = 1000) -> Iterator[Any]:
    """A headless Chromium context with a fresh profile that only reaches 127.0.0.1.

    Other requests are aborted and listed in `context.blocked`.
    """
    from playwright.sync_api import sync_playwright

    if profile.exists():
        shutil.rmtree(profile)
    profile.mkdir(parents=True)
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True,
            args=CHROMIUM_ARGS, viewport={"width": width, "height": height},
            device_scale_factor=1, locale="en-US", timezone_id="UTC", color_scheme="light")
        context.blocked = []

        def guard(route: Any) -> None:
            url = route.request.url
            if url.startswith(("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:")):
                route.continue_()
            else:
                context.blocked.append(url)
                route.abort()

        context.route("**/*", guard)
        try:
            yield context
        finally:
            context.close()


# --- The notebook page -----------------------------------------------------------------------


def open_notebook(context: Any, lab: Lab, name: str, timeout: float = 120) -> Any:
    """Open notebook `name` and wait until its kernel is started and idle; return the page."""
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(lab.notebook_url(name))
    deadline = time.monotonic() + timeout
    while not (_kernel_name(page) not in ("", "No Kernel") and _kernel_status(page) == "idle"):
        _accept_kernel_dialog(page)
        if time.monotonic() > deadline:
            raise TimeoutError(f"{name}: no idle kernel within {timeout:.0f} s (kernel "
                               f"{_kernel_name(page)!r}, status {_kernel_status(page)!r}); "
                               f"Lab's log ends:\n{lab.log_tail()}")
        page.wait_for_timeout(250)
    return page


_PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"


def _kernel_name(page: Any) -> str:
    name = page.locator(f"{_PANEL} .jp-KernelName").first
    return name.inner_text().strip() if name.count() else ""


def _kernel_status(page: Any) -> str:
    """The notebook toolbar's execution indicator: 'idle', 'busy', 'initializing', ..."""
    indicator = page.locator(f"{_PANEL} .jp-Notebook-ExecutionIndicator").first
    if not indicator.count():
        return ""
    return indicator.get_attribute("data-status") or ""


def _accept_kernel_dialog(page: Any) -> None:
    """Answer a 'Select Kernel' dialog with its default (Python 3), as a learner would."""
    dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
    if dialog.count():
        dialog.locator(".jp-mod-accept").first.click()


_PROMPTS_JS = """() => [...document.querySelectorAll(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')]
    .map(e => e.textContent.trim())"""
_ERRORS_JS = """() => [...document.querySelectorAll(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output[data-mime-type=\
"application/vnd.jupyter.stderr"]')].map(e => e.textContent.slice(0, 400))"""


def run_all_cells(page: Any, timeout: float = 300) -> list[str]:
    """Run > Run All Cells from the menu bar; wait until every code cell has run.

    Returns the input prompts ('[1]:', ...). Raises AssertionError naming the
    error output when the run stops early.
    """
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()
    deadline = time.monotonic() + timeout
    while True:
        _accept_kernel_dialog(page)
        prompts = page.evaluate(_PROMPTS_JS)
        ran = [any(c.isdigit() for c in p) for p in prompts]
        idle = not any("*" in p for p in prompts) and _kernel_status(page) == "idle"
        if idle and prompts and all(ran):
            return prompts
        errors = page.evaluate(_ERRORS_JS) if idle else []
        unrun = [i for i, r in enumerate(ran) if not r]
        assert not errors, f"Run All stopped before code cell(s) {unrun} ran; errors: {errors}"
        if time.monotonic() > deadline:
            raise TimeoutError(f"Run All did not finish within {timeout:.0f} s; prompts: "
                               f"{prompts}")
        page.wait_for_timeout(500)
    return prompts


# Without the ipywidgets front end, a widget output shows its text repr, `VBox(children=...`.
_WIDGET_REPRS_JS = r"""() => [...document.querySelectorAll('.jp-OutputArea-output')]
    .map(e => e.textContent.trim()).filter(t => /^\w+\(children=/.test(t))
    .map(t => t.slice(0, 120))"""


def find_widget(page: Any, css_class: str, what: str, timeout: float = 30) -> Any:
    """The rendered widget with `css_class`, scrolled into view.

    Raises AssertionError (not a timeout) when it never appears: the usual
    cause is a missing ipywidgets front end, and the message says so.
    """
    widget = page.locator(f".{css_class}").first
    try:
        widget.wait_for(state="attached", timeout=timeout * 1000)
    except Exception:
        shown = page.evaluate(_WIDGET_REPRS_JS)
        raise AssertionError(f"the {what} never rendered on the page within {timeout:.0f} s: "
                             f"{NO_WIDGETS} The outputs show instead: {shown}") from None
    widget.scroll_into_view_if_needed()
    return widget


@dataclass(frozen=True)
class Change:
    """What a widget showed before and after one interaction: its text, its SVG markup
    and (for the conv explorer) its settings as the page shows them."""

    text_before: str
    text_after: str
    svg_before: str
    svg_after: str
    settings_before: dict[str, Any] = field(default_factory=dict)
    settings_after: dict[str, Any] = field(default_factory=dict)


def _text(locator: Any) -> str:
    """The element's text, independent of layout (content-visibility may skip layout)."""
    return " ".join((locator.text_content() or "").split())


def _svg(widget: Any) -> str:
    picture = widget.locator(".cnnlab-picture svg").first
    picture.wait_for(state="attached", timeout=15_000)
    return picture.evaluate("e => e.outerHTML")


def _wait_for_change(locator: Any, before: str, timeout: float = 15) -> str:
    deadline = time.monotonic() + timeout
    while (now := _text(locator)) == before and time.monotonic() < deadline:
        locator.page.wait_for_timeout(100)
    return now


def _conv_settings(explorer: Any) -> dict[str, Any]:
    """The conv explorer's slider readouts and padding as the page shows them."""
    settings = {}
    for label in ("input size", "kernel_size", "strides", "dilation_rate"):
        slider = explorer.locator(".widget-slider", has_text=label).first
        settings[label] = int(_text(slider.locator(".widget-readout")))
    settings["padding"] = _text(explorer.locator(".widget-toggle-button.mod-active").first)
    return settings


def _shoot(target: Any, path: Path | None) -> None:
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        target.screenshot(path=str(path), animations="disabled", caret="hide")


def _settle(page: Any) -> None:
    """Move the mouse away and drop focus, so screenshots show no hover or focus ring."""
    page.mouse.move(0, 0)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.wait_for_timeout(300)


def move_conv_stride(page: Any, shots: Path | None = None, prefix: str = "conv_explorer",
                     ) -> Change:
    """Press ArrowRight on the conv explorer's stride slider (a noUiSlider handle).

    Returns the readout/SVG change with the settings before and after; with
    `shots`, saves `{prefix}_before.png` and `{prefix}_after.png` there.
    """
    explorer = find_widget(page, "cnnlab-conv-explorer", "conv explorer")
    readout = explorer.locator(".cnnlab-readout")
    text, svg, settings = _text(readout), _svg(explorer), _conv_settings(explorer)
    _settle(page)
    _shoot(explorer, shots and shots / f"{prefix}_before.png")
    explorer.locator(".widget-slider", has_text="strides").locator(".noUi-handle").first.focus()
    page.keyboard.press("ArrowRight")
    text_after = _wait_for_change(readout, text)
    _settle(page)
    _shoot(explorer, shots and shots / f"{prefix}_after.png")
    return Change(text, text_after, svg, _svg(explorer), settings, _conv_settings(explorer))


def click_stack_fix(page: Any, label: str, shots: Path | None = None,
                    prefix: str = "stack_explorer") -> Change:
    """Click the stack explorer's fix button `label`; return the badge/SVG change."""
    explorer = find_widget(page, "cnnlab-stack-explorer", "stack explorer")
    badge = explorer.locator(".cnnlab-badge")
    text, svg = _text(badge), _svg(explorer)
    _settle(page)
    _shoot(explorer, shots and shots / f"{prefix}_before.png")
    explorer.get_by_role("button", name=label, exact=True).click()
    text_after = _wait_for_change(badge, text)
    _settle(page)
    _shoot(explorer, shots and shots / f"{prefix}_after.png")
    return Change(text, text_after, svg, _svg(explorer))


# --- Themes and contrast ---------------------------------------------------------------------


def write_notebook(lab: Lab, name: str, cells: list[str], raises: tuple[int, ...] = ()) -> None:
    """A notebook of these code cells in Lab's root (for a page made for one test); the
    cells at `raises` are tagged raises-exception (Run All goes on past their error)."""
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    for i in raises:
        nb.cells[i].metadata["tags"] = ["raises-exception"]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, str(lab.root / name))


def set_theme(page: Any, theme: str) -> None:
    """Switch JupyterLab's theme ("JupyterLab Light", "JupyterLab Dark") as its Settings
    menu does, and wait until the page has it."""
    page.evaluate("t => window.jupyterapp.commands.execute('apputils:change-theme', "
                  "{theme: t})", theme)
    light = "true" if "Light" in theme else "false"
    page.wait_for_function(f"() => document.body.dataset.jpThemeLight === '{light}'",
                           timeout=30_000)
    page.wait_for_timeout(800)  # the theme's stylesheet applies


# Every visible piece of text in the outputs (HTML text and SVG <text>), with its colour and
# the first opaque background behind it (SVG text: the picture's own, or the cell it is on).
_CONTRAST_JS = r"""(ratio) => {
  const rgba = s => { const m = s.match(/rgba?\(([^)]+)\)/); if (!m) return null;
    const v = m[1].split(',').map(x => parseFloat(x));
    return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1]; };
  const lum = c => { const f = x => { x /= 255;
      return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const cr = (a, b) => { const [h, l] = [lum(a), lum(b)].sort((x, y) => y - x);
    return (h + 0.05) / (l + 0.05); };
  const behind = el => { for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor); if (c && c[3] > 0.5) return c; }
    return rgba(getComputedStyle(document.body).backgroundColor) || [255, 255, 255, 1]; };
  const out = [];
  const area = '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output';
  for (const el of document.querySelectorAll(area + ' *')) {
    const r = el.getBoundingClientRect(); if (!r.width || !r.height) continue;
    if (el.closest('[data-mime-type="application/vnd.jupyter.stderr"]')) continue;  // Jupyter's
    let colour, back, what;
    if (el.tagName.toLowerCase() === 'text') {
      colour = rgba(getComputedStyle(el).fill);
      const t = el.getBoundingClientRect(), x = t.x + t.width / 2, y = t.y + t.height / 2;
      const cell = [...el.parentNode.querySelectorAll('rect')].find(q => {
        const b = q.getBoundingClientRect();
        return b.width < 60 && b.height < 60 && x > b.x && x < b.x + b.width
          && y > b.y && y < b.y + b.height; });
      back = cell && rgba(getComputedStyle(cell).fill) || behind(el.closest('svg'));
      what = 'svg text';
    } else {
      if (el.closest('svg')) continue;
      const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
      if (!own) continue;
      colour = rgba(getComputedStyle(el).color); back = behind(el); what = el.tagName.toLowerCase();
    }
    if (!colour || !back) continue;
    const c = cr(colour, back);
    if (c < ratio) out.push({what, text: (el.textContent || '').trim().slice(0, 60),
                             colour: colour.slice(0, 3).join(','), back: back.slice(0, 3).join(','),
                             ratio: Math.round(c * 100) / 100});
  }
  return out;
}"""


def low_contrast(page: Any, ratio: float = 4.5) -> list[dict]:
    """Every visible text in the notebook's outputs whose contrast with what is behind it
    is below `ratio` (WCAG AA for text: 4.5), with its colours and text. Tracebacks are
    left out: Jupyter colours them, not the lab."""
    return page.evaluate(_CONTRAST_JS, ratio)
