"""Jobs orchestrate one unit of work across layers: a source feeds the store, then derive refreshes."""
