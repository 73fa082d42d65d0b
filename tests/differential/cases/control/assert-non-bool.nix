assert "x"; 1
