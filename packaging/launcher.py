"""The frozen program's entry script (PyInstaller runs this): the same as the ``norepi-gui`` console script."""

from norepi_gui.cli import main

raise SystemExit(main())
