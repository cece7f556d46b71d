"""Pure domain logic: no threads, no I/O, no wall clock. Every function is given `now`."""
