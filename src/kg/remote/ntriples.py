"""A source file's N-Triples for `kg push`: its lines, not the store read back.

A graph of a build that is one N-Triples file's triples (:meth:`kg.store.Build.source_files`)
can be sent as that file's lines: reading the store back costs ~4.6 s of CPU per million
triples (a lookup for each term of each triple), reading the file ~0.3 s. The lines are sent
as they are where they say what the store would write, and a block of lines is written again
through pyoxigraph (parsed, then serialized: blank-node labels kept) where an engine could read
them otherwise than the store did: a language tag with capitals (the store lowercases it), an
``xsd:string`` datatype (the store drops it), ``\\u`` escapes, a byte-order mark. A file with a
line ending in a lone CR is not sent (:func:`copy_lines` says False), nor one that is no longer
the file the build read (its SHA-256, taken before and as it is sent).

>>> lines(b'<a:s> <a:p> "x"@en .\\n')
b'<a:s> <a:p> "x"@en .\\n'
>>> lines(b'_:n <a:p> "x"@zh-Hans .\\n'
...       b'<a:s> <a:p> "\\\\u00e9"^^<http://www.w3.org/2001/XMLSchema#string> .\\n')
b'_:n <a:p> "x"@zh-hans .\\n<a:s> <a:p> "\\xc3\\xa9" .\\n'
"""

from __future__ import annotations

import hashlib
import re
from typing import Protocol

from pyoxigraph import RdfFormat, parse, serialize

from kg.store import SourceFile, file_sha256

BLOCK = 1 << 20  # bytes read at a time
# what the store reads otherwise than an engine may (module docstring)
_UPPER_LANGUAGE = re.compile(rb'"@[a-z0-9-]*[A-Z]')
_REWRITTEN = (b"\\u", b"\\U", b"XMLSchema#string>", b"\xef\xbb\xbf")


class Writable(Protocol):
    def write(self, data: bytes, /) -> int: ...


class NotFollowed(ValueError):
    """Lines that :func:`lines` does not pass on (a lone CR ends a line)."""


def lines(block: bytes) -> bytes:
    """``block`` (whole lines of N-Triples) as the store would write it, or as it is where
    that says the same (module docstring); :class:`NotFollowed` for a lone CR.

    >>> lines(b'<a:s> <a:p> <a:o> .\\r<a:s> <a:p> <a:q> .\\n')
    Traceback (most recent call last):
      ...
    kg.remote.ntriples.NotFollowed: a line ends in a lone CR
    """
    if block.count(b"\r") != block.count(b"\r\n"):
        raise NotFollowed("a line ends in a lone CR")
    if any(mark in block for mark in _REWRITTEN) or _UPPER_LANGUAGE.search(block):
        written = serialize(parse(block, format=RdfFormat.N_TRIPLES), format=RdfFormat.N_TRIPLES)
        return written or b""  # (None only when given a file to write to)
    return block


def copy_lines(file: SourceFile, out: Writable) -> bool:
    """Write ``file``'s triples to ``out`` as :func:`lines`, a block of whole lines at a
    time; False when the file is not the one the build read (its SHA-256, taken before and
    as it is written: then what was written must be replaced), is gone, or has lines
    :func:`lines` does not follow.

    >>> import io, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.nt"
    >>> _ = path.write_bytes(b'<a:s> <a:p> "1" .\\n<a:s> <a:p> "2" .')
    >>> out = io.BytesIO()
    >>> copy_lines(SourceFile(path, hashlib.sha256(path.read_bytes()).hexdigest(), 2), out)
    True
    >>> out.getvalue()
    b'<a:s> <a:p> "1" .\\n<a:s> <a:p> "2" .\\n'
    >>> copy_lines(SourceFile(path, "another file", 2), out), len(out.getvalue())
    (False, 36)
    """
    try:
        if file_sha256(file.path) != file.sha256:  # nothing sent of a file changed since
            return False
        fh = file.path.open("rb")
    except OSError:  # gone since the build
        return False
    digest, rest = hashlib.sha256(), b""
    try:
        with fh:
            while block := fh.read(BLOCK):
                digest.update(block)
                block = rest + block
                cut = block.rfind(b"\n") + 1
                block, rest = block[:cut], block[cut:]
                if block:
                    out.write(lines(block))
            if rest.strip():
                out.write(lines(rest + b"\n"))
    except (NotFollowed, SyntaxError):
        return False
    return digest.hexdigest() == file.sha256  # unchanged while it was read

