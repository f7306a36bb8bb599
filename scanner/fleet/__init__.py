"""Audit many repositories in one run (issue 20): a list of repositories, one history audit per repository
run by a local process pool or a Dask cluster, a state file that makes reruns incremental, one report."""
