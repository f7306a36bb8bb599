"""Sources turn a place (folder, stdin, index, commit range, history) into blobs to scan."""

# Files and blobs larger than this are skipped (and reported) unless a flag or the config says otherwise.
# Here, not in files.py: that module loads pathspec, which the hook and the history audit do not need.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
