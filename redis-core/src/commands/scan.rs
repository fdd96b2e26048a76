//! SCAN, HSCAN, SSCAN and ZSCAN as streams that follow the cursor.
