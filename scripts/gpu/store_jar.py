#!/usr/bin/env python3
"""Copies a jar for the GPU bundle: entries stored, not deflated, and natives of other platforms left out.

scripts/gpu-bundle.sh packs the whole bundle into one .tar.xz that must fit the device call's
64 MiB with the tracked tree. xz across many stored class files compresses about twice as well
as each entry deflated on its own, and the natives for Windows, macOS, Arm, etc. (grpc-netty-shaded,
zstd-jni) or for CUDA libraries the driver API never loads (jcuda-natives' PTX compiler, NVRTC,
runtime) are most of those jars' bytes.

Usage: store_jar.py SOURCE.jar TARGET.jar [DROP_REGEX]...
An entry whose name matches a DROP_REGEX (re.search) is left out; how many and their bytes are printed.
"""
import re
import sys
import zipfile


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    source, target, drops = argv[1], argv[2], [re.compile(p) for p in argv[3:]]
    dropped, dropped_bytes = 0, 0
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():  # the source's order: META-INF/MANIFEST.MF stays first
            if any(d.search(info.filename) for d in drops):
                dropped += 1
                dropped_bytes += info.file_size
                continue
            copy = zipfile.ZipInfo(info.filename, info.date_time)
            copy.external_attr = info.external_attr
            copy.compress_type = zipfile.ZIP_STORED
            dst.writestr(copy, src.read(info))
    if dropped:
        print(f"{source.rsplit('/', 1)[-1]}: left out {dropped} entries, {dropped_bytes / 2**20:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
