"""Sources turn the outside world (Hub API pages, bulk dumps, local folders) into raw Hub entries."""
