"""Replaces one `## ` section of benchmarks/results.md (or appends it), keeping the others:
what every benchmark script that reports into results.md writes through."""
import os


def write_section(text, path, heading):
    """Writes `text` (which starts with `heading`) in place of the section `heading` of `path`."""
    old = open(path).read() if os.path.exists(path) else "# sscl benchmark results\n"
    if heading in old:
        start = old.index(heading)
        rest = old[start + len(heading):]
        end = rest.find("\n## ")
        old = old[:start] + (rest[end + 1:] if end >= 0 else "")
    with open(path, "w") as f:
        f.write(old.rstrip("\n") + "\n\n" + text)
