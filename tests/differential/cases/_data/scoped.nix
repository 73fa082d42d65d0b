scopedVar + 1
