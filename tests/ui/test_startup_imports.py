"""The bedside window is painted before numpy, pint and pyqtgraph are imported (they load right after), and before
PySide6 creates the Python enums of its ``Qt`` namespace (see norepi_gui/ui/qt_values.py); the core imports neither
pint nor numpy when it is imported.

Checked in a fresh interpreter: in the test process other tests have long imported all three. An eager import of any
of them anywhere in the window's import chain or first paint would make start-up slow again (bench_startup.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("numpy", "pint", "pyqtgraph")

CHILD = """
import json, sys
from pathlib import Path
HEAVY = ("numpy", "pint", "pyqtgraph")
def loaded():
    names = [name for name in HEAVY if name in sys.modules]
    import PySide6.QtCore
    if "Qt" in vars(PySide6.QtCore):  # resolved (all its enums created) on first use
        names.append("QtCore.Qt")
    return sorted(names)
import importlib, pkgutil
import norepi_gui.core
for module in pkgutil.walk_packages(norepi_gui.core.__path__, "norepi_gui.core."):
    importlib.import_module(module.name)
seen = {"core": loaded()}
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
import norepi_gui.ui.main_window
import norepi_gui.ui.app
seen["import"] = loaded()
from norepi_gui.ui.app import Launcher
launcher = Launcher(Path(sys.argv[1]), protocol_path=None, training=False, interactive=False)
def shown(window):
    seen["first_paint"] = loaded()
    seen["title"] = window.windowTitle()
def ready(window):
    seen["complete"] = loaded()
    seen["plot_built"] = window.plot_area.is_built
    print(json.dumps(seen), flush=True)
    app.quit()
launcher.shown.connect(shown)
launcher.ready.connect(ready)
window = launcher.start()
app.exec()
"""


def test_window_is_painted_before_numpy_pint_pyqtgraph_and_the_qt_namespace_are_loaded(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path)], capture_output=True, text=True, env=env,
                            cwd=REPO_ROOT, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["core"] == []  # every module of the core
    assert seen["import"] == []  # importing the window and the launcher
    assert seen["first_paint"] == []  # building, showing and painting the window
    assert seen["title"].startswith("norepi-gui")
    assert set(seen["complete"]) >= set(HEAVY)  # loaded right after the first paint
    assert seen["plot_built"] is True


ENGINE_CHILD = """
import json, sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
from norepi_gui.ui.app import Launcher
launcher = Launcher(Path(sys.argv[1]), protocol_path=None, training=False, interactive=False)
def shown(window):
    print(json.dumps({"engine": "norepi_gui.core.titration.engine" in sys.modules}), flush=True)
    app.quit()
launcher.shown.connect(shown)
window = launcher.start()
app.exec()
"""


def test_the_titration_engine_loads_after_the_first_paint(tmp_path: Path) -> None:
    # The engine (about 25 ms of imports) is not needed to paint an empty window: no panel may ask for a band or
    # advice before there is a session.
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", ENGINE_CHILD, str(tmp_path)], capture_output=True, text=True,
                            env=env, cwd=REPO_ROOT, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"engine": False}
