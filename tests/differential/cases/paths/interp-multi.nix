let a = "x"; b = "y"; in /root/${a}-${b}/z
