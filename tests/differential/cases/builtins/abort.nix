abort "stopped here"
