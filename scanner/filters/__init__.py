"""Filters run after the scan and keep or drop findings, each naming why it drops (--explain): attribution of
history findings to commits (attribution.py)."""
