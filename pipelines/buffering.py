"""A DoFn base for steps that handle a bundle's elements in batches and pass them on afterwards.

Writers buffer elements and write them in one request; what they emit must keep each element's
timestamp and window, and outputs made in ``finish_bundle`` must name them. :class:`BatchingFn`
does that bookkeeping once: subclasses implement :meth:`BatchingFn.handle`.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

import apache_beam as beam
from apache_beam.utils.windowed_value import WindowedValue


class BatchingFn(beam.DoFn):
    """Buffers elements (with their timestamp and window) and hands them to :meth:`handle` in batches
    of ``max_batch``, and at the end of each bundle."""

    max_batch = 500

    def start_bundle(self) -> None:
        self._buffer: list[tuple[Any, Any, Any]] = []

    def process(self, element: Any, timestamp=beam.DoFn.TimestampParam, window=beam.DoFn.WindowParam):
        self._buffer.append((element, timestamp, window))
        if len(self._buffer) >= self.max_batch:
            yield from self._drain()

    def finish_bundle(self):
        yield from self._drain()

    def _drain(self):
        if not self._buffer:
            return
        buffer, self._buffer = self._buffer, []
        for position, output, tag in self.handle([element for element, _, _ in buffer]):
            _, timestamp, window = buffer[position]
            value = WindowedValue(output, timestamp, (window,))
            yield value if tag is None else beam.pvalue.TaggedOutput(tag, value)

    def handle(self, elements: Sequence[Any]) -> Iterable[tuple[int, Any, str | None]]:
        """Handles a batch; yields ``(position of the input element, output, tag or None)``."""
        raise NotImplementedError
