"""``python -m norepi_gui``: the same as the ``norepi-gui`` command."""

from norepi_gui.cli import main

raise SystemExit(main())
