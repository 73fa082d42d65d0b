[ 1 2.5 "s" ''ind'' ./p /abs <sp> http://u.rl true null (-1) ]
