"""The Beam job and everything that reads its output (search, board, alerts)."""

from pipelines.beam_warnings import quiet_missing_extras

quiet_missing_extras()  # before any submodule imports apache_beam, in every process that runs pipeline code
