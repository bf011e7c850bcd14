"""peacewatch's own core: the command line, settings, service clients, errors, retries, redaction,
private files and the duration grammar (the data contract is ``schemas/``)."""

__version__ = "0.1.0"
