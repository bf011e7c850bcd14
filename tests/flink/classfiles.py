"""Reads Java class files enough to check member references between jars (a small linkage check).

Beam's Flink runner 2.70.0 is served, its job-service module only up to 2.65.0 (see
deploy/flink/pom.xml). :func:`unresolved` lists every field or method that classes of one group of
jars use from the others (and the others from them) and that no class on the classpath declares,
walking superclasses and interfaces: what would end in ``NoSuchMethodError``/``NoClassDefFoundError``
at run time.
"""

from __future__ import annotations

import dataclasses
import struct
import zipfile
from collections.abc import Iterable
from pathlib import Path

_JDK = ("java/", "javax/", "jdk/", "sun/", "com/sun/")


@dataclasses.dataclass
class ClassInfo:
    jar: str
    superclass: str | None
    interfaces: list[str]
    members: set[tuple[str, str]]
    refs: set[tuple[str, str | None, str | None]]


def parse(data: bytes, jar: str) -> tuple[str, ClassInfo] | None:
    """Name and :class:`ClassInfo` of one class file (constant pool, members, references)."""
    if data[:4] != b"\xca\xfe\xba\xbe":
        return None
    count = struct.unpack(">H", data[8:10])[0]
    pool: list = [None] * count
    i, k = 10, 1
    while k < count:
        tag = data[i]
        if tag == 1:
            length = struct.unpack(">H", data[i + 1 : i + 3])[0]
            pool[k] = (1, data[i + 3 : i + 3 + length].decode("utf-8", "replace"))
            i += 3 + length
        elif tag in (3, 4):
            pool[k], i = (tag,), i + 5
        elif tag in (5, 6):
            pool[k], i = (tag,), i + 9
            k += 1
        elif tag in (7, 8, 16, 19, 20):
            pool[k], i = (tag, struct.unpack(">H", data[i + 1 : i + 3])[0]), i + 3
        elif tag in (9, 10, 11, 12, 17, 18):
            pool[k], i = (tag, *struct.unpack(">HH", data[i + 1 : i + 5])), i + 5
        elif tag == 15:
            pool[k], i = (tag,), i + 4
        else:
            raise ValueError(f"{jar}: unknown constant pool tag {tag}")
        k += 1

    def utf(index: int) -> str:
        return pool[index][1]

    _, this, sup, n_interfaces = struct.unpack(">HHHH", data[i : i + 8])
    i += 8
    interfaces = [utf(pool[struct.unpack(">H", data[i + 2 * j : i + 2 * j + 2])[0]][1]) for j in range(n_interfaces)]
    i += 2 * n_interfaces
    members = set()
    for _ in range(2):  # fields, then methods
        n = struct.unpack(">H", data[i : i + 2])[0]
        i += 2
        for _ in range(n):
            _, name, descriptor, n_attributes = struct.unpack(">HHHH", data[i : i + 8])
            i += 8
            members.add((utf(name), utf(descriptor)))
            for _ in range(n_attributes):
                i += 6 + struct.unpack(">I", data[i + 2 : i + 6])[0]
    refs: set[tuple[str, str | None, str | None]] = set()
    for entry in pool:
        if entry and entry[0] in (9, 10, 11):
            name_and_type = pool[entry[2]]
            refs.add((utf(pool[entry[1]][1]), utf(name_and_type[1]), utf(name_and_type[2])))
        elif entry and entry[0] == 7:
            refs.add((utf(entry[1]), None, None))
    return utf(pool[this][1]), ClassInfo(jar, utf(pool[sup][1]) if sup else None, interfaces, members, refs)


def load(jars: Iterable[Path]) -> dict[str, ClassInfo]:
    classes: dict[str, ClassInfo] = {}
    for jar in jars:
        with zipfile.ZipFile(jar) as archive:
            for entry in archive.namelist():
                if entry.endswith(".class") and not entry.startswith("META-INF/"):
                    parsed = parse(archive.read(entry), jar.name)
                    if parsed:
                        classes.setdefault(*parsed)
    return classes


def _declares(classes: dict[str, ClassInfo], name: str, member: tuple[str, str], seen: frozenset = frozenset()) -> bool:
    info = classes.get(name)
    if info is None:
        return name.startswith(_JDK)  # the JDK's classes are not inspected
    if member in info.members:
        return True
    return any(
        parent and parent not in seen and _declares(classes, parent, member, seen | {name})
        for parent in [info.superclass, *info.interfaces]
    )


def unresolved(jars: list[Path], group: list[Path]) -> list[str]:
    """References between ``group`` and the other jars that nothing on the classpath satisfies."""
    classes = load(jars)
    names = {jar.name for jar in group}
    in_group = {name for name, info in classes.items() if info.jar in names}
    problems = set()
    for name, info in classes.items():
        for target, member, descriptor in info.refs:
            if target.startswith("[") or not (name in in_group or target in in_group):
                continue
            if member is None:
                if target not in classes and not target.startswith(_JDK):
                    problems.add(f"{name} -> {target}: class missing")
            elif not _declares(classes, target, (member, descriptor)):
                problems.add(f"{name} -> {target}.{member}{descriptor}")
    return sorted(problems)
