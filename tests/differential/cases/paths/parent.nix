../paths/x
