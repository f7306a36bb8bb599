"""Sources turn a place (folder, stdin, index, commit range, history) into blobs to scan."""
