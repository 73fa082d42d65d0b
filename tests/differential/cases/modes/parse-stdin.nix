let x = ./rel; in [ x "${x}" ]
