let d = "sub"; in ./${d}/file
