"""The patient monitor feed: IHE PCD-01 (HL7 v2.6 ORU^R01) over MLLP, without Qt and without the window.

Bytes in, typed observations or typed rejections out, an acknowledgement for every message:

* :mod:`~norepi_gui.monitor.mllp` frames and unframes MLLP as a pure incremental decoder with bounded memory;
* :mod:`~norepi_gui.monitor.pcd01` parses one message into an :class:`~norepi_gui.monitor.pcd01.ObservationSet` or
  a :class:`~norepi_gui.monitor.pcd01.Rejection`; :mod:`~norepi_gui.monitor.ack` answers it (AA, AE, AR);
* :mod:`~norepi_gui.monitor.handler` is the per-connection state machine both listeners use (the window's and the
  headless :mod:`~norepi_gui.monitor.listener`): bytes in, ACK bytes out, accepted observation sets, diagnostics;
* :mod:`~norepi_gui.monitor.settings` holds the site's listener settings (off by default, loopback by default);
* :mod:`~norepi_gui.monitor.samples`, :mod:`~norepi_gui.monitor.summary` and :mod:`~norepi_gui.monitor.feed` turn
  accepted observations into plot samples, the robust summary a nurse may chart, and the feed's live/stale state.

Submodules are imported where used (this package imports nothing on import), so the window pays for none of it
unless the monitor is on. See ``docs/monitor.md``.
"""
