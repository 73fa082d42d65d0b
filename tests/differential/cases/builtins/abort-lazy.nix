let x = abort "no"; in 1
