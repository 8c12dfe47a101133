-- placeholder replaced by the store's first migration
SELECT 1;
