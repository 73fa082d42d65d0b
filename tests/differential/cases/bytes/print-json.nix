# Printing strings with non-UTF-8 bytes, as JSON and XML
{ "aÿ" = "xþ\nÃ©"; l = [ "Ã" "©" ]; }
